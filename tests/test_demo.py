"""The demo business: deterministic, the promised size, and internally consistent."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest

from salesflow_xl.core import demo
from salesflow_xl.core.dataset import RECORD_TYPES, to_records
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.model import Deal, StageEvent


@pytest.fixture(scope="module")
def data():
    return demo.generate()


def test_same_seed_same_business(data) -> None:
    again = demo.generate()
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(data.table(key), again.table(key))


def test_other_seed_other_business(data) -> None:
    other = demo.generate(seed=7)
    assert not data.deals["value"].equals(other.deals["value"])


def test_promised_size(data) -> None:
    assert len(data.customers) == 150
    assert len(data.deals) == 300
    assert len(data.campaigns) == 6
    assert 1500 <= len(data.orders) <= 2500
    assert data.customers["segment"].nunique() == 5
    assert data.customers["channel"].nunique() == 6
    assert set(data.deals["status"]) == {"open", "won", "lost"}


def test_scale_multiplies_customers_and_deals() -> None:
    double = demo.generate(scale=2)
    assert (len(double.customers), len(double.deals)) == (300, 600)


@pytest.mark.parametrize("scale", [0, -1, "big", True])
def test_bad_scale_is_refused(scale) -> None:
    with pytest.raises(InvalidArgumentError, match="scale"):
        demo.generate(scale=scale)


def test_stage_log_replays_to_every_deal(data) -> None:
    events: dict[str, list[StageEvent]] = {}
    for event in to_records(data.stage_log, StageEvent):
        events.setdefault(event.deal_id, []).append(event)
    for deal in to_records(data.deals, Deal):
        history = sorted(events[deal.id], key=lambda e: e.timestamp)
        assert history[0].from_stage is None
        for before, after in itertools.pairwise(history):
            assert after.from_stage == before.to_stage
        assert history[-1].to_stage == deal.stage
        assert deal.stage_entered == history[-1].timestamp.date()
        assert deal.created == history[0].timestamp.date()


def test_closed_deals_are_complete(data) -> None:
    deals = data.deals
    lost = deals[deals["status"] == "lost"]
    assert lost["lost_reason"].notna().all()
    assert deals.loc[deals["status"] != "lost", "lost_reason"].isna().all()
    assert deals.loc[deals["status"] != "open", "closed"].notna().all()
    assert deals.loc[deals["status"] == "open", "closed"].isna().all()


def test_history_has_skips_and_backward_moves(data) -> None:
    order = {name: i for i, name in enumerate(data.pipeline.names[:4])}
    log = data.stage_log.dropna(subset=["from_stage"])
    log = log[log["to_stage"] != "Closed lost"]
    step = log["to_stage"].map(order) - log["from_stage"].map(order)
    assert (step >= 2).sum() >= 5, "skipped stages"
    assert (step < 0).sum() >= 3, "backward moves"
    starts = data.stage_log[data.stage_log["from_stage"].isna()]["to_stage"]
    assert (starts == "Nurturing").sum() >= 10, "deals that skip lead acquisition"


def test_references_and_dates_hold(data) -> None:
    as_of = pd.Timestamp(data.settings.as_of)
    customers = set(data.customers["id"])
    assert set(data.deals["customer_id"]) <= customers
    assert set(data.orders["customer_id"]) <= customers
    assert set(data.deals["campaign"].dropna()) <= set(data.campaigns["name"])
    assert set(data.activities["deal_id"]) <= set(data.deals["id"])
    assert data.deals["created"].min() >= pd.Timestamp(date(2025, 1, 1))
    assert data.deals["created"].max() <= as_of
    assert data.orders["date"].max() <= as_of
    assert data.stage_log["timestamp"].max() <= as_of + pd.Timedelta(days=1)
    assert data.deals["id"].is_unique
    assert data.orders["id"].is_unique
    assert data.activities["id"].is_unique


def test_follow_ups_and_rotting_exist(data) -> None:
    open_deals = data.deals[data.deals["status"] == "open"]
    assert (open_deals["next_follow_up"] <= pd.Timestamp(data.settings.as_of)).any()
    assert (open_deals["next_follow_up"] > pd.Timestamp(data.settings.as_of)).any()
    assert data.activities["done"].isna().any()
