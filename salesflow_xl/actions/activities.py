"""Activity actions: log what was done with a deal, list what is due, refresh the as-of date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pandas as pd

from salesflow_xl.actions.changes import Changes, next_ids
from salesflow_xl.actions.deals import find_deals, pick
from salesflow_xl.core import limits, metrics
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.model import Activity


def log_activity(
    data: SalesData,
    deal_id: str,
    kind: str,
    at: datetime,
    note: str | None = None,
    next_follow_up: date | None = None,
) -> Changes:
    """Record an activity done today on a deal. It touches the deal (resetting its rotting
    clock: ``last_activity``) and, when given, sets its next follow-up date."""
    ((position, deal),) = find_deals(data, [deal_id])
    activity_type = pick(kind, data.lists.activity_types, "type")
    if note is not None:
        limits.text("note", note)
    limits.day("the activity's date", at)
    if deal.created is not None and at.date() < deal.created:
        raise InvalidArgumentError(
            "the activity's date", at.date(), f"on or after the deal was created ({deal.created})"
        )
    if next_follow_up is not None:
        limits.day("next follow-up", next_follow_up)
    if next_follow_up is not None and next_follow_up < at.date():
        raise InvalidArgumentError("next follow-up", next_follow_up, f"on or after {at.date()}")
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
    if next_follow_up is not None:
        values["next_follow_up"] = next_follow_up
    changes.update("deals", position, values)
    follow = f"; next follow-up {next_follow_up}" if next_follow_up else ""
    changes.say(f"Logged {activity_type} {activity_id} on {deal.id} {deal.title!r}{follow}.")
    return changes


def followups(data: SalesData, as_of: date | None = None) -> pd.DataFrame:
    """Activities and deal follow-ups due by ``as_of`` (default: the workbook's as-of date)."""
    return metrics.followups_due(data.activities, data.deals, as_of or data.settings.as_of)


def refresh(data: SalesData, today: date) -> Changes:
    """Set the workbook's as-of date to ``today``; every computed figure follows, and the
    Customers' predictions (P(alive), predicted purchases and CLV, RFM segment) are refitted
    to the Orders as of that date."""
    # the model fits need SciPy: imported here so the other actions start without it
    from salesflow_xl.core.clv.predictions import customer_predictions

    limits.day("as-of date", today)
    changes = Changes()
    changes.settings["as_of"] = today
    settings = replace(data.settings, as_of=today)
    predictions = customer_predictions(data.customers, data.orders, settings)
    changes.column_values["customers"] = {
        position: {key: _plain(value) for key, value in row.items()}
        for position, row in enumerate(predictions.to_dict(orient="records"))
    }
    fitted = predictions["p_alive"].notna().sum()
    changes.say(f"As-of date {data.settings.as_of} → {today}; figures recalculated.")
    changes.say(
        f"Predictions refitted for {fitted:,} customers with orders."
        if fitted
        else "Too little order history to fit the CLV models yet."
    )
    return changes


def _plain(value: object) -> object:
    return None if value is None or value != value else value  # NaN → blank
