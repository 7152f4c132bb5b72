"""The report agrees with a plain-Python recomputation over the records (a second, loop-based
implementation that shares nothing with the vectorised metrics)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from salesflow_xl.core import demo
from salesflow_xl.core.dataset import to_records
from salesflow_xl.core.model import Campaign, Customer, Deal, StageEvent
from salesflow_xl.core.report import build_report


@pytest.fixture(scope="module")
def data():
    return demo.generate(seed=11)


@pytest.fixture(scope="module")
def report(data):
    return build_report(data)


@pytest.fixture(scope="module")
def deals(data) -> list[Deal]:
    return to_records(data.deals, Deal)


def test_funnel_counts_and_values(report, deals) -> None:
    counts = Counter(d.stage for d in deals)
    values: dict[str, float] = {}
    for d in deals:
        values[d.stage] = values.get(d.stage, 0.0) + d.value
    funnel = report.funnel.set_index("stage")
    assert funnel["deals"].to_dict() == {s: counts.get(s, 0) for s in funnel.index}
    for stage, value in values.items():
        assert funnel.loc[stage, "value"] == pytest.approx(value)


def test_weighted_pipeline_and_win_rate(report, data, deals) -> None:
    stage_probability = {s.name: s.probability for s in data.pipeline.stages}
    expected = sum(
        d.value * (d.probability if d.probability is not None else stage_probability[d.stage])
        for d in deals
        if d.status == "open"
    )
    assert report.totals["weighted_pipeline"] == pytest.approx(expected)
    won = sum(d.status == "won" for d in deals)
    lost = sum(d.status == "lost" for d in deals)
    assert report.win_rate == pytest.approx(won / (won + lost))


def test_velocity(report, deals) -> None:
    won = [d for d in deals if d.status == "won"]
    lost = [d for d in deals if d.status == "lost"]
    open_count = sum(d.status == "open" for d in deals)
    average = sum(d.value for d in won) / len(won)
    cycle = sum((d.closed - d.created).days for d in won) / len(won)
    expected = open_count * len(won) / (len(won) + len(lost)) * average / cycle
    assert report.velocity["per_day"] == pytest.approx(expected)


def test_stage_conversion_by_replaying_each_deal(report, data) -> None:
    funnel = [s.name for s in data.pipeline.funnel]
    furthest: dict[str, int] = {}
    for e in to_records(data.stage_log, StageEvent):
        for stage in (e.from_stage, e.to_stage):
            if stage in funnel:
                furthest[e.deal_id] = max(furthest.get(e.deal_id, -1), funnel.index(stage))
    reached = [sum(r >= i for r in furthest.values()) for i in range(len(funnel))]
    assert report.stage_conversion["reached"].tolist() == reached


def test_campaign_roi_and_new_customers(report, data, deals) -> None:
    customers = to_records(data.customers, Customer)
    for campaign in to_records(data.campaigns, Campaign):
        revenue = sum(d.value for d in deals if d.campaign == campaign.name and d.status == "won")
        row = report.campaigns.set_index("campaign").loc[campaign.name]
        assert row["revenue"] == pytest.approx(revenue)
        assert row["roi"] == pytest.approx((revenue - campaign.spend) / campaign.spend)
        winners = {d.customer_id for d in deals if d.status == "won"}
        acquired = {c.id for c in customers if c.campaign == campaign.name} & winners
        assert row["new_customers"] == len(acquired)


def test_json_is_plain_and_complete(report) -> None:
    payload = report.to_dict()
    text = json.dumps(payload, allow_nan=False)  # NaN must have become null
    assert json.loads(text) == payload
    assert set(payload) == {
        "as_of",
        "period",
        "totals",
        "win_rate",
        "closed",
        "velocity",
        "funnel",
        "stage_conversion",
        "days_in_stage",
        "lost_reasons",
        "campaigns",
        "channels",
        "segments",
        "top_customers",
        "followups_due",
        "rotting_deals",
        "forecast",
        "clv_distribution",
        "rfm_segments",
        "cohort_retention",
    }
    assert payload["stage_conversion"][0]["conversion"] is None
    assert all(isinstance(row["due"], str) for row in payload["followups_due"])
    assert not any(
        isinstance(v, float) and math.isnan(v) for row in payload["campaigns"] for v in row.values()
    )


def test_readme_documents_every_json_key(report) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Report JSON", 1)[1].split("\n## ", 1)[0]
    rows = {
        key: line
        for line in section.splitlines()
        if line.startswith("| `")
        for key in re.findall(r"`(\w+)`", line.split("|")[1])
    }
    payload = report.to_dict()
    assert set(payload) <= set(rows), set(payload) - set(rows)
    for key, value in payload.items():
        fields = value[0] if isinstance(value, list) and value else value
        if isinstance(fields, dict):
            documented = set(re.findall(r"`(\w+)`", rows[key].split("|")[2]))
            if "month_k" in documented:  # one column per month since the first purchase
                fields = {f for f in fields if not re.fullmatch(r"month_\d+", f)}
            assert set(fields) <= documented, (key, set(fields) - documented)
