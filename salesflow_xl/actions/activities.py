"""Activity actions: log what was done with a deal, list what is due, refresh the figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pandas as pd

from salesflow_xl.actions.changes import Changes, keep_as_of_current, next_ids
from salesflow_xl.actions.deals import find_deals, pick
from salesflow_xl.core import limits, metrics, transitions
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.forecast import dashboard_forecast
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import Activity, Settings


def log_activity(
    data: SalesData,
    deal_id: str,
    kind: str,
    at: datetime,
    note: str | None = None,
    next_follow_up: date | None = None,
) -> Changes:
    """Record an activity done today on a deal. It touches the deal (resetting its rotting
    clock: ``last_activity``) and sets its next follow-up date: the one given, else (an open
    deal) the day plus its stage's follow-up days, when the stage has them."""
    ((position, deal),) = find_deals(data, [deal_id])
    activity_type = pick(kind, data.lists.activity_types, _("type"))
    if note is not None:
        limits.text(_("note"), note)
    limits.day(_("the activity's date"), at)
    if deal.created is not None and at.date() < deal.created:
        raise InvalidArgumentError(
            _("the activity's date"),
            at.date(),
            _("on or after the deal was created ({created})").format(created=deal.created),
        )
    if next_follow_up is not None:
        limits.day(_("next follow-up"), next_follow_up)
    if next_follow_up is not None and next_follow_up < at.date():
        raise InvalidArgumentError(
            _("next follow-up"), next_follow_up, _("on or after {day}").format(day=at.date())
        )
    (activity_id,) = next_ids(data.activities["id"], "A", 6, 1)
    changes = Changes()
    changes.append(
        Activity(
            activity_id,
            deal.id,
            deal.customer_id,
            activity_type,
            at.date(),
            at.date(),
            note or None,
        )
    )
    values: dict[str, object] = {"last_activity": at.date()}
    if deal.status == "open":  # not given: by the stage's follow-up days, when it has them
        next_follow_up = transitions.follow_up(
            data.pipeline.stage(deal.stage), at.date(), next_follow_up
        )
    if next_follow_up is not None:
        values["next_follow_up"] = next_follow_up
    changes.update("deals", position, values)
    logged = (
        _("Logged {type} {activity} on {deal} {title}; next follow-up {day}.")
        if next_follow_up
        else _("Logged {type} {activity} on {deal} {title}.")
    )
    changes.say(
        logged.format(
            type=activity_type,
            activity=activity_id,
            deal=deal.id,
            title=repr(deal.title),
            day=next_follow_up,
        )
    )
    return keep_as_of_current(data, changes, at.date())


def followups(data: SalesData, as_of: date | None = None, days: int = 0) -> pd.DataFrame:
    """Open activities and open deals' next follow-ups due by ``as_of`` (default: the
    workbook's as-of date), overdue ones included, and with ``days`` > 0 also those due in the
    ``days`` days after it; oldest first.

    Columns as :func:`~salesflow_xl.core.metrics.followups_due`'s, ``days_overdue`` counted
    from ``as_of`` (0 = due that day, negative = due that many days later); ``what`` ("Call:
    <note>", "Follow up: <deal title>") in the language in effect."""
    as_of = as_of or data.settings.as_of
    until = followups_until(as_of, days)
    due = metrics.followups_due(data.activities, data.deals, until)
    due["days_overdue"] -= (until - as_of).days
    titles = dict(zip(data.deals["id"], data.deals["title"], strict=True))
    chased = due["source"] == "deal"
    due.loc[chased, "what"] = [
        _("Follow up: {title}").format(title=titles[deal]) for deal in due.loc[chased, "id"]
    ]
    todo = data.activities[data.activities["id"].isin(due.loc[~chased, "id"])]
    notes = dict(zip(todo["id"], zip(todo["type"], todo["note"], strict=True), strict=True))
    due.loc[~chased, "what"] = [
        _("{what}: {subject}").format(what=kind, subject=note) if note == note and note else kind
        for kind, note in (notes[activity] for activity in due.loc[~chased, "id"])
    ]
    return due


def followups_until(as_of: date, days: int) -> date:
    """The last day :func:`followups` lists for: ``days`` after ``as_of``, at most Excel's
    last day."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidArgumentError("days", days, _("a whole number >= 0"))
    return as_of + timedelta(days=min(days, (limits.LAST_DAY - as_of).days))


def refresh(data: SalesData, today: date, pin: date | None = None, unpin: bool = False) -> Changes:
    """Bring every figure up to ``today`` (or the pinned date), lay the Dashboard and
    Analytics out anew for the stages, campaigns, channels and segments there are now, and make
    the Dashboard's revenue forecast anew.

    The as-of date: ``pin`` pins it to that day; ``unpin`` blanks it, so the figures follow the
    calendar; otherwise a pinned date moves on to ``today`` (never back) and a blank one stays
    blank. The
    Customers' predictions (P(alive), predicted purchases and CLV, RFM segment) are refitted to
    the Orders as of the new date."""
    # the model fits need SciPy: imported here so the other actions start without it
    from salesflow_xl.core.clv.predictions import customer_predictions

    if pin is not None and unpin:
        raise InvalidArgumentError(
            _("as-of date"), pin, _("either a date to pin or unpinned, not both")
        )
    settings = data.settings
    # a plain refresh never moves a pinned date back (an order dated tomorrow moved it there)
    as_of = pin or (max(today, settings.as_of) if settings.as_of_pinned and not unpin else today)
    limits.day(_("as-of date"), as_of)
    pinned = pin is not None or (settings.as_of_pinned and not unpin)
    changes = Changes(relayout=True)
    if pinned:
        changes.settings["as_of"] = as_of
        changes.say(
            _("As-of date {before} → {after}; figures recalculated.").format(
                before=_shown(settings), after=as_of
            )
        )
    elif settings.as_of_pinned:
        changes.settings["as_of"] = None
        changes.say(
            _(
                "As-of date {before} → blank: figures follow the calendar (today {today}); "
                "recalculated."
            ).format(before=settings.as_of, today=as_of)
        )
    else:
        changes.say(
            _("Figures as of today, {today} (the as-of date follows the calendar).").format(
                today=as_of
            )
        )
    settings = replace(settings, as_of=as_of, as_of_pinned=pinned)
    predictions = customer_predictions(data.customers, data.orders, settings)
    changes.column_values["customers"] = {
        position: {key: _plain(value) for key, value in row.items()}
        for position, row in enumerate(predictions.to_dict(orient="records"))
    }
    fitted = predictions["p_alive"].notna().sum()
    changes.say(
        _("Predictions refitted for {count} customers with orders.").format(count=f"{fitted:,}")
        if fitted
        else _("Too little order history to fit the CLV models yet.")
    )
    changes.forecast = dashboard_forecast(data, as_of)
    if changes.forecast is not None:
        months = changes.forecast.months
        changes.say(
            _("Revenue forecast made anew: {total} expected from {first} to {last}.").format(
                total=f"{months['total'].sum():,.0f}",
                first=months["month"].iloc[0],
                last=months["month"].iloc[-1],
            )
        )
    return changes


def _shown(settings: Settings) -> str:
    """The as-of date as the Settings sheet shows it."""
    return str(settings.as_of) if settings.as_of_pinned else _("blank (today)")


def _plain(value: object) -> object:
    return None if value is None or value != value else value  # NaN → blank
