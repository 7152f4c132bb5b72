"""Stage moves of a deal. Each returns a :class:`Transition`: the new deal and the one
:class:`StageEvent` to append to the stage log. Nothing is mutated.

Rules:
- an open deal may move to any other stage; moving to the won stage wins it, moving to the lost
  stage loses it and needs a reason;
- ``advance`` moves to the next stage of the funnel (from the last open stage that is "won");
- a closed (won or lost) deal cannot move until it is reopened; ``reopen`` puts it back in an open
  stage and clears its closing date and lost reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from salesflow_xl.core import limits
from salesflow_xl.core.errors import (
    DealClosedError,
    DealNotClosedError,
    InvalidArgumentError,
    MissingLostReasonError,
    TransitionError,
    UnknownStageError,
)
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.model import Deal, Pipeline, Stage, StageEvent

#: Why a closed deal cannot move, by its status.
_CLOSED = {
    "won": N_("is won; reopen it before moving it"),
    "lost": N_("is lost; reopen it before moving it"),
}


@dataclass(frozen=True, slots=True)
class Transition:
    """The result of a stage move: the deal as it is now, and the log row recording the move."""

    deal: Deal
    event: StageEvent


def create(deal: Deal, pipeline: Pipeline, at: datetime, note: str | None = None) -> Transition:
    """Put a new deal in the pipeline at its ``stage`` and record the creating event
    (``from_stage`` None). The stage must be an open one."""
    target = _target(deal, deal.stage, pipeline)
    if target.outcome != "open":
        raise TransitionError(
            deal.id,
            _("a new deal starts in an open stage, not {stage}").format(stage=repr(target.name)),
        )
    new = replace(
        deal,
        stage=target.name,
        status="open",
        created=at.date(),
        stage_entered=at.date(),
        next_follow_up=follow_up(target, at.date(), deal.next_follow_up),
    )
    return Transition(new, StageEvent(at, deal.id, None, target.name, note))


def follow_up(stage: Stage, day: date, given: date | None = None) -> date | None:
    """A deal's next follow-up on entering ``stage`` on ``day`` (or logging an activity in
    it): ``given`` when there is one, else ``day`` + the stage's follow-up days when it has
    them and is open, else ``given`` (None)."""
    if given is not None or stage.follow_up_days is None or stage.outcome != "open":
        return given
    if (date.max - day).days < stage.follow_up_days:
        return None  # past the last day there is (the stage's days are capped far below)
    return day + timedelta(days=stage.follow_up_days)


def advance(deal: Deal, pipeline: Pipeline, at: datetime, note: str | None = None) -> Transition:
    """Move an open deal to the next stage of the funnel; from the last open stage that is won."""
    rank = pipeline.rank(_require_open(deal, pipeline).name)
    assert rank is not None  # an open deal is in an open stage
    return move(deal, pipeline.funnel[rank + 1].name, pipeline, at, note=note)


def move(
    deal: Deal,
    stage: str,
    pipeline: Pipeline,
    at: datetime,
    note: str | None = None,
    reason: str | None = None,
) -> Transition:
    """Move an open deal to ``stage`` (forward, backward, or to a closing stage).

    Moving to the lost stage needs ``reason``; a reason is refused for any other target.
    """
    current = _require_open(deal, pipeline)
    _check_time(deal, at)
    target = _target(deal, stage, pipeline)
    if target == current:
        raise TransitionError(deal.id, _("is already in {stage}").format(stage=repr(target.name)))
    if target.outcome == "lost":
        if reason is None or not str(reason).strip():
            raise MissingLostReasonError(deal.id, _("a lost deal needs a reason"))
        lost_reason: str | None = str(reason).strip()
    elif reason is not None:
        raise InvalidArgumentError("reason", reason, _("given only when the deal is lost"))
    else:
        lost_reason = None
    new = replace(
        deal,
        stage=target.name,
        status=target.outcome,
        stage_entered=at.date(),
        closed=None if target.outcome == "open" else at.date(),
        lost_reason=lost_reason,
        next_follow_up=follow_up(target, at.date()) or deal.next_follow_up,
    )
    return Transition(new, StageEvent(at, deal.id, current.name, target.name, note))


def win(deal: Deal, pipeline: Pipeline, at: datetime, note: str | None = None) -> Transition:
    """Mark an open deal won (move it to the pipeline's won stage)."""
    return move(deal, pipeline.won.name, pipeline, at, note=note)


def lose(
    deal: Deal, reason: str, pipeline: Pipeline, at: datetime, note: str | None = None
) -> Transition:
    """Mark an open deal lost for ``reason`` (required)."""
    return move(deal, pipeline.lost.name, pipeline, at, note=note, reason=reason)


def reopen(
    deal: Deal,
    pipeline: Pipeline,
    at: datetime,
    stage: str | None = None,
    note: str | None = None,
) -> Transition:
    """Put a won or lost deal back into an open stage (default: the last open stage)."""
    if deal.status == "open":
        raise DealNotClosedError(deal.id, _("is open; only a won or lost deal can be reopened"))
    current = _current(deal, pipeline)
    _check_time(deal, at)
    target = _target(deal, stage, pipeline) if stage else pipeline.open_stages[-1]
    if target.outcome != "open":
        raise TransitionError(
            deal.id,
            _("can only be reopened into an open stage, not {stage}").format(stage=repr(stage)),
        )
    new = replace(
        deal,
        stage=target.name,
        status="open",
        stage_entered=at.date(),
        closed=None,
        lost_reason=None,
        next_follow_up=follow_up(target, at.date()) or deal.next_follow_up,
    )
    return Transition(new, StageEvent(at, deal.id, current.name, target.name, note))


def _check_time(deal: Deal, at: datetime) -> None:
    """A stage change happens on a day Excel can show, and not before the deal was created
    or entered its current stage."""
    day = limits.day(_("the time of the stage change"), at)
    earlier = (
        (
            deal.stage_entered,
            N_("a stage change on {day} would be before the deal entered its stage on {when}"),
        ),
        (
            deal.created,
            N_("a stage change on {day} would be before the deal was created on {when}"),
        ),
    )
    for when, message in earlier:
        if when is not None and day < when:
            raise TransitionError(deal.id, _(message).format(day=day, when=when))


def _require_open(deal: Deal, pipeline: Pipeline) -> Stage:
    """The open deal's current stage; refuses closed deals."""
    current = _current(deal, pipeline)
    if deal.status != "open" or current.outcome != "open":
        closed_as = deal.status if deal.status != "open" else current.outcome
        raise DealClosedError(deal.id, _(_CLOSED[closed_as]))
    return current


def _current(deal: Deal, pipeline: Pipeline) -> Stage:
    current = pipeline.find(deal.stage)
    if current is None:
        stages = ", ".join(pipeline.names)
        raise UnknownStageError(
            deal.id,
            _("its stage {stage} is not one of {stages}").format(
                stage=repr(deal.stage), stages=stages
            ),
        )
    return current


def _target(deal: Deal, stage: str, pipeline: Pipeline) -> Stage:
    target = pipeline.find(stage) if isinstance(stage, str) else None
    if target is None:
        raise UnknownStageError(
            deal.id,
            _("unknown stage {stage}; the stages are {stages}").format(
                stage=repr(stage), stages=", ".join(pipeline.names)
            ),
        )
    return target
