"""Stage actions on selected deals: advance, move, won, lost, reopen.

Each plans every selected deal first and fails as a whole (nothing written) if any one cannot
move. Each move updates the deal's row and appends one StageLog row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from salesflow_xl.actions.changes import Changes, changed_fields, keep_as_of_current
from salesflow_xl.actions.customer_match import fold
from salesflow_xl.core import i18n, limits, transitions
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError, TransitionError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import Deal
from salesflow_xl.core.transitions import Transition


class UnknownDealError(SalesflowError):
    """A deal ID that is not on the Deals sheet."""


def find_deals(data: SalesData, deal_ids: Sequence[str]) -> list[tuple[int, Deal]]:
    """(position, deal) for each ID, in the order given; unknown or repeated IDs are refused."""
    if not deal_ids:
        raise InvalidArgumentError(_("deal IDs"), [], _("at least one deal ID"))
    wanted = [str(d).strip() for d in deal_ids]
    repeated = sorted({d for d in wanted if wanted.count(d) > 1})
    if repeated:
        raise InvalidArgumentError(_("deal IDs"), repeated, _("each deal once"))
    positions = {deal_id: i for i, deal_id in enumerate(data.deals["id"])}
    unknown = [d for d in wanted if d not in positions]
    if unknown:
        raise UnknownDealError(
            _("no deal {deals} on the {sheet} sheet").format(
                deals=", ".join(unknown), sheet=i18n.workbook_name("Deals")
            )
        )
    deals = to_records(data.deals.iloc[[positions[d] for d in wanted]], Deal)
    return [(positions[d.id], d) for d in deals]


def _plan(
    data: SalesData,
    deal_ids: Sequence[str],
    done: str,
    move: Callable[[Deal], Transition],
    note: str | None = None,
) -> Changes:
    if note is not None:
        limits.text(_("note"), note)
    changes = Changes()
    found = find_deals(data, deal_ids)
    last_moves = _last_moves(data, [deal.id for _position, deal in found])
    for position, deal in found:
        step = move(deal)
        last = last_moves.get(deal.id)
        if last is not None and step.event.timestamp < last:
            raise TransitionError(
                deal.id,
                _("a stage change at {time} would be before its last one at {last}").format(
                    time=f"{step.event.timestamp:%Y-%m-%d %H:%M}", last=f"{last:%Y-%m-%d %H:%M}"
                ),
            )
        changes.update("deals", position, changed_fields(deal, step.deal))
        changes.append(step.event)
        changes.say(f"{deal.id} {deal.title!r}: {deal.stage} → {step.deal.stage}")
    changes.summary.insert(0, done.format(count=len(deal_ids)))
    recorded = max(e["timestamp"] for e in changes.appends.get("stage_log", []))
    return keep_as_of_current(data, changes, recorded.date())


def _last_moves(data: SalesData, deal_ids: Sequence[str]) -> dict[str, datetime]:
    """The time of each deal's last stage change in the stage log."""
    log = data.stage_log
    moves = log[log["deal_id"].isin(deal_ids)].groupby("deal_id")["timestamp"].max()
    return {str(k): v.to_pydatetime() for k, v in moves.items() if v == v}


def advance(
    data: SalesData, deal_ids: Sequence[str], at: datetime, note: str | None = None
) -> Changes:
    """Move each deal to the next stage of the funnel (from the last open stage: won)."""
    return _plan(
        data,
        deal_ids,
        _("Advanced {count} deal(s)."),
        lambda d: transitions.advance(d, data.pipeline, at, note),
        note,
    )


def move(
    data: SalesData, deal_ids: Sequence[str], stage: str, at: datetime, note: str | None = None
) -> Changes:
    """Move each deal to the named open stage (forward or back) or to the won stage."""
    target = data.pipeline.stage(stage)
    if target.outcome == "lost":
        raise InvalidArgumentError(_("stage"), stage, _("an open or won stage (use lost --reason)"))
    return _plan(
        data,
        deal_ids,
        _("Moved {count} deal(s)."),
        lambda d: transitions.move(d, target.name, data.pipeline, at, note),
        note,
    )


def won(data: SalesData, deal_ids: Sequence[str], at: datetime, note: str | None = None) -> Changes:
    """Mark each deal won."""
    return _plan(
        data,
        deal_ids,
        _("Won {count} deal(s)."),
        lambda d: transitions.win(d, data.pipeline, at, note),
        note,
    )


def lost(
    data: SalesData,
    deal_ids: Sequence[str],
    reason: str,
    at: datetime,
    note: str | None = None,
) -> Changes:
    """Mark each deal lost for ``reason``, which must be on the workbook's lost-reason list."""
    choice = pick(reason, data.lists.lost_reasons, _("reason"))
    return _plan(
        data,
        deal_ids,
        _("Lost {count} deal(s)."),
        lambda d: transitions.lose(d, choice, data.pipeline, at, note),
        note,
    )


def reopen(
    data: SalesData,
    deal_ids: Sequence[str],
    at: datetime,
    stage: str | None = None,
    note: str | None = None,
) -> Changes:
    """Reopen won or lost deals into ``stage``, by default the stage each was closed from."""

    def back(deal: Deal) -> Transition:
        target = stage or closed_from(data, deal.id)
        return transitions.reopen(deal, data.pipeline, at, stage=target, note=note)

    return _plan(data, deal_ids, _("Reopened {count} deal(s)."), back, note)


def closed_from(data: SalesData, deal_id: str) -> str | None:
    """The open stage a closed deal was in before its last move to a closing stage."""
    log = data.stage_log[data.stage_log["deal_id"] == deal_id].sort_values("timestamp")
    closing = {data.pipeline.won.name, data.pipeline.lost.name}
    moves = log[log["to_stage"].isin(closing) & ~log["from_stage"].isin(closing)]
    if moves.empty or moves["from_stage"].iloc[-1] is None:
        return None
    return str(moves["from_stage"].iloc[-1])


def pick(value: str, allowed: Sequence[str], argument: str) -> str:
    """``value`` as spelled on the list (matching ignores case and extra spaces)."""
    wanted = fold(str(value))
    for choice in allowed:
        if fold(choice) == wanted:
            return choice
    raise InvalidArgumentError(
        argument, value, _("one of {values}").format(values=", ".join(allowed))
    )
