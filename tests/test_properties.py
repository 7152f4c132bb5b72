"""Hypothesis properties of the metrics and the stage moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesflow_xl.core import metrics
from salesflow_xl.core import transitions as t
from salesflow_xl.core.dataset import to_frame, to_records
from salesflow_xl.core.model import DEFAULT_PIPELINE as P
from salesflow_xl.core.model import Deal, StageEvent

counts = st.integers(min_value=0, max_value=10**6)
money = st.floats(min_value=0, max_value=1e7, allow_nan=False)
fractions = st.floats(min_value=0, max_value=1)
periods = st.floats(min_value=0, max_value=600)
rates = st.floats(min_value=0, max_value=2)
open_stages = st.sampled_from([s.name for s in P.open_stages])


@given(counts, counts)
def test_conversion_rate_is_a_fraction(a: int, b: int) -> None:
    closed, potential = sorted((a, b))
    if potential > 0:
        assert 0.0 <= metrics.conversion_rate(closed, potential) <= 1.0


@given(counts, counts)
def test_win_rate_is_a_fraction(won: int, lost: int) -> None:
    if won + lost > 0:
        assert 0.0 <= metrics.win_rate(won, lost) <= 1.0


@given(money, rates, periods, fractions, rates, st.integers(0, 4), st.floats(0, 1e3))
@example(1.0, 1.0, 1.25, 1.0, 5e-324, 4, 0.125)  # a subnormal discount rate (found by hypothesis)
def test_clv_is_monotone_in_each_input(aov, freq, n, margin, rate, which, bump) -> None:
    args = [aov, freq, n, margin, rate]
    bigger = list(args)
    bigger[which] = min(args[which] + bump, 1.0) if which == 3 else args[which] + bump
    base, grown = metrics.clv(*args), metrics.clv(*bigger)
    tolerance = 1e-9 * max(1.0, abs(base))
    if which == 4:  # a higher discount rate never raises the value
        assert grown <= base + tolerance
    else:
        assert grown >= base - tolerance


@given(money, rates, periods, fractions)
def test_discounting_never_exceeds_the_undiscounted_value(aov, freq, n, margin) -> None:
    assert (
        metrics.clv(aov, freq, n, margin, 0.05)
        <= metrics.clv(aov, freq, n, margin) * (1 + 1e-12) + 1e-9
    )


def _deal(stage: str) -> Deal:
    day = date(2026, 1, 5)
    return Deal("D1", "C1", "x", 100.0, stage, "open", day, day)


@given(open_stages, st.integers(1, 1000))
def test_advance_then_move_back_restores_the_stage(stage: str, minutes: int) -> None:
    """From the last open stage, advancing wins the deal; going back is then a reopen."""
    start = datetime(2026, 2, 1, 9)
    deal = _deal(stage)
    forward = t.advance(deal, P, start)
    later = start + timedelta(minutes=minutes)
    if forward.deal.status == "open":
        back = t.move(forward.deal, stage, P, later)
    else:
        back = t.reopen(forward.deal, P, later, stage=stage)
    assert (back.deal.stage, back.deal.status, back.deal.closed) == (stage, "open", None)
    assert back.deal.stage_entered == later.date()
    assert [(e.from_stage, e.to_stage) for e in (forward.event, back.event)] == [
        (stage, forward.deal.stage),
        (forward.deal.stage, stage),
    ]


@st.composite
def stage_logs(draw) -> pd.DataFrame:
    """Random histories made only of legal moves."""
    events = []
    for number in range(draw(st.integers(1, 25))):
        deal = _deal(draw(open_stages))
        deal = replace(deal, id=f"D{number}")
        at = datetime(2026, 1, 1, 9)
        step = t.create(deal, P, at)
        events.append(step.event)
        deal = step.deal
        for choice in draw(st.lists(st.sampled_from(["advance", "back", "lose"]), max_size=6)):
            if deal.status != "open":
                break
            at += timedelta(days=1)
            rank = P.rank(deal.stage)
            if choice == "advance":
                step = t.advance(deal, P, at)
            elif choice == "back" and rank:
                step = t.move(deal, P.funnel[rank - 1].name, P, at)
            else:
                step = t.lose(deal, "Price", P, at)
            events.append(step.event)
            deal = step.deal
    return to_frame(events, StageEvent)


@settings(max_examples=60, deadline=None)
@given(stage_logs())
def test_stage_conversions_are_fractions_and_reach_shrinks(log: pd.DataFrame) -> None:
    result = metrics.stage_conversion(log, P)
    reached = result["reached"].tolist()
    assert reached[0] == log["deal_id"].nunique()
    assert reached == sorted(reached, reverse=True)
    conversion = result["conversion"].iloc[1:].dropna()
    assert ((conversion >= 0) & (conversion <= 1)).all()


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
optional_dates = st.none() | st.dates(date(1990, 1, 1), date(2100, 12, 31))


@given(
    st.lists(
        st.builds(
            Deal,
            id=texts.filter(bool),
            customer_id=texts.filter(bool),
            title=texts,
            value=money,
            stage=open_stages,
            status=st.just("open"),
            created=st.dates(date(1990, 1, 1), date(2100, 12, 31)),
            stage_entered=st.dates(date(1990, 1, 1), date(2100, 12, 31)),
            expected_close=optional_dates,
            probability=st.none() | fractions,
            next_follow_up=optional_dates,
            last_activity=optional_dates,
            lost_reason=st.none() | texts.filter(bool),
        ),
        max_size=8,
    )
)
def test_records_frame_records_is_identity(deals: list[Deal]) -> None:
    assert to_records(to_frame(deals, Deal), Deal) == deals
