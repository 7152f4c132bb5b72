"""Stage moves: each returns the new deal and one stage-log event; illegal moves are refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from salesflow_xl.core import transitions as t
from salesflow_xl.core.errors import (
    DealClosedError,
    DealNotClosedError,
    InvalidArgumentError,
    MissingLostReasonError,
    PipelineError,
    TransitionError,
    UnknownStageError,
)
from salesflow_xl.core.model import DEFAULT_PIPELINE as P
from salesflow_xl.core.model import Deal, DealStatus, Pipeline, Stage, StageEvent

MONDAY = datetime(2026, 3, 2, 10, 30)
LATER = datetime(2026, 3, 9, 15, 0)


def deal(stage: str = "Lead acquisition", status: DealStatus = "open", **changes) -> Deal:
    base = Deal(
        id="D1",
        customer_id="C1",
        title="Espresso supply",
        value=6000.0,
        stage=stage,
        status=status,
        created=date(2026, 2, 1),
        stage_entered=date(2026, 2, 1),
    )
    return replace(base, **changes)


def test_default_pipeline_is_the_seed_funnel() -> None:
    assert P.names == (
        "Lead acquisition",
        "Nurturing",
        "Negotiation",
        "Closed won",
        "Closed lost",
    )
    assert [s.name for s in P.funnel] == list(P.names[:4])


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("Lead acquisition", "Nurturing"),
        ("Nurturing", "Negotiation"),
        ("Negotiation", "Closed won"),
    ],
)
def test_advance_goes_to_the_next_stage(start: str, expected: str) -> None:
    moved = t.advance(deal(start), P, LATER, note="went well")
    assert moved.deal.stage == expected
    assert moved.deal.stage_entered == date(2026, 3, 9)
    assert moved.event == StageEvent(LATER, "D1", start, expected, "went well")


def test_advancing_from_the_last_open_stage_wins() -> None:
    moved = t.advance(deal("Negotiation"), P, LATER)
    assert (moved.deal.status, moved.deal.closed) == ("won", date(2026, 3, 9))


def test_move_backward_then_forward_keeps_both_events() -> None:
    back = t.move(deal("Negotiation"), "nurturing", P, MONDAY)  # names match loosely
    again = t.advance(back.deal, P, LATER)
    assert back.deal.stage == "Nurturing"
    assert again.deal.stage == "Negotiation"
    assert [(e.from_stage, e.to_stage) for e in (back.event, again.event)] == [
        ("Negotiation", "Nurturing"),
        ("Nurturing", "Negotiation"),
    ]


def test_lose_records_reason_and_closing_date() -> None:
    moved = t.lose(deal("Nurturing"), "  Price ", P, LATER)
    assert moved.deal.status == "lost"
    assert moved.deal.stage == "Closed lost"
    assert moved.deal.lost_reason == "Price"
    assert moved.deal.closed == date(2026, 3, 9)
    assert moved.event.to_stage == "Closed lost"


def test_reopen_clears_closing_fields() -> None:
    lost = t.lose(deal("Negotiation"), "Timing", P, MONDAY).deal
    reopened = t.reopen(lost, P, LATER)
    assert reopened.deal.status == "open"
    assert reopened.deal.stage == "Negotiation"
    assert reopened.deal.closed is None
    assert reopened.deal.lost_reason is None
    assert reopened.event.from_stage == "Closed lost"


def test_reopen_into_a_named_stage() -> None:
    won = t.win(deal("Negotiation"), P, MONDAY).deal
    assert t.reopen(won, P, LATER, stage="Lead acquisition").deal.stage == "Lead acquisition"


def test_create_logs_the_first_stage() -> None:
    created = t.create(deal("Nurturing"), P, MONDAY)
    assert created.event == StageEvent(MONDAY, "D1", None, "Nurturing", None)
    assert created.deal.created == created.deal.stage_entered == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("action", "error", "message"),
    [
        (lambda: t.advance(deal("Closed won", "won"), P, LATER), DealClosedError, "is won"),
        (lambda: t.advance(deal("Closed lost", "lost"), P, LATER), DealClosedError, "is lost"),
        (lambda: t.win(deal("Closed won", "won"), P, LATER), DealClosedError, "reopen it"),
        (lambda: t.move(deal(), "Proposal", P, LATER), UnknownStageError, "'Proposal'"),
        (lambda: t.advance(deal("Demo"), P, LATER), UnknownStageError, "'Demo'"),
        (lambda: t.lose(deal(), "", P, LATER), MissingLostReasonError, "needs a reason"),
        (lambda: t.lose(deal(), "   ", P, LATER), MissingLostReasonError, "needs a reason"),
        (lambda: t.move(deal(), "Closed lost", P, LATER), MissingLostReasonError, "reason"),
        (lambda: t.move(deal(), "Lead acquisition", P, LATER), TransitionError, "already"),
        (lambda: t.reopen(deal(), P, LATER), DealNotClosedError, "is open"),
        (
            lambda: t.reopen(deal("Closed won", "won"), P, LATER, stage="Closed lost"),
            TransitionError,
            "open stage",
        ),
        (lambda: t.create(deal("Closed won"), P, LATER), TransitionError, "open stage"),
    ],
)
def test_illegal_moves_raise_specific_errors(action, error, message) -> None:
    with pytest.raises(error, match=message) as caught:
        action()
    assert caught.value.deal_id == "D1"
    assert str(caught.value).startswith("deal D1: ")


def test_reason_is_refused_unless_lost() -> None:
    with pytest.raises(InvalidArgumentError, match="reason"):
        t.move(deal(), "Nurturing", P, LATER, reason="Price")


def test_moves_do_not_mutate_the_deal() -> None:
    original = deal("Nurturing")
    t.advance(original, P, LATER)
    assert original.stage == "Nurturing"


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (
            (
                Stage("A", 0.1),
                Stage("a", 0.2),
                Stage("W", 1, outcome="won"),
                Stage("L", 0, outcome="lost"),
            ),
            "unique",
        ),
        (
            (Stage("A", 1.5), Stage("W", 1, outcome="won"), Stage("L", 0, outcome="lost")),
            "probability",
        ),
        ((Stage("A", 0.5), Stage("L", 0, outcome="lost")), "exactly one won"),
        ((Stage("W", 1, outcome="won"), Stage("L", 0, outcome="lost")), "at least one open"),
        (
            (Stage("W", 1, outcome="won"), Stage("A", 0.5), Stage("L", 0, outcome="lost")),
            "in order",
        ),
        (
            (Stage("A", 0.5), Stage("L", 0, outcome="lost"), Stage("W", 1, outcome="won")),
            "in order",
        ),
        (
            (
                Stage("A", 0.5, rotting_days=0),
                Stage("W", 1, outcome="won"),
                Stage("L", 0, outcome="lost"),
            ),
            "rotting",
        ),
    ],
)
def test_inconsistent_pipelines_are_refused(stages, message) -> None:
    with pytest.raises(PipelineError, match=message):
        Pipeline(stages)


def test_custom_pipeline_with_five_open_stages() -> None:
    pipeline = Pipeline(
        (
            Stage("Lead", 0.05),
            Stage("Qualified", 0.2),
            Stage("Demo", 0.4),
            Stage("Proposal", 0.6),
            Stage("Contract", 0.8),
            Stage("Won", 1, outcome="won"),
            Stage("Lost", 0, outcome="lost"),
        )
    )
    d = replace(deal(), stage="Proposal")
    assert t.advance(d, pipeline, LATER).deal.stage == "Contract"
    assert pipeline.rank("Lost") is None
    assert pipeline.rank("won") == 5
