"""The report agrees with a plain-Python recomputation over the records (a second, loop-based
implementation that shares nothing with the vectorised metrics)."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from salesflow_xl.core import demo
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.forecast import calibration
from salesflow_xl.core.model import (
    Campaign,
    Customer,
    Deal,
    Pipeline,
    Settings,
    Stage,
    StageEvent,
)
from salesflow_xl.core.report import build_report
from salesflow_xl.reports.terminal import print_report

WON = Stage("Won", 1.0, outcome="won")
LOST = Stage("Lost", 0.0, outcome="lost")


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
        "stage_probabilities",
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


def test_stage_probabilities_are_the_calibration_at_the_as_of_date(report, data) -> None:
    """Each open stage's configured and learned probability and the closed deals they rest on,
    as :func:`calibration.calibrate_at` gives them for the report's date; in the JSON too."""
    found = calibration.calibrate_at(data.deals, data.stage_log, data.pipeline, report.as_of)
    shown = report.stage_probabilities
    assert list(shown["stage"]) == [stage.name for stage in data.pipeline.open_stages]
    for column in ("configured", "learned", "observed", "closed", "won", "days_to_close"):
        assert shown[column].tolist() == pytest.approx(found[column].tolist(), nan_ok=True)
    rows = report.to_dict()["stage_probabilities"]
    assert [row["stage"] for row in rows] == list(shown["stage"])
    assert [row["learned"] for row in rows] == pytest.approx(found["learned"].tolist())
    assert [row["closed"] for row in rows] == found["closed"].tolist()


def test_stage_probabilities_of_a_small_history_worked_by_hand() -> None:
    """D1 A → B → Won, D2 A → Lost, D3 A → Won (skipping B), D4 A → B still open. A: three
    closed deals reached it, two won: (2 + 10 × 0.1) ÷ (3 + 10); B: D1 and D3 (a skipped stage
    counts as reached), both won: (2 + 10 × 0.5) ÷ (2 + 10). Days to win from first reaching
    the stage: A — D1 2 days, D3 70 h; B — D1 1 day, D3 0 (it reached B by winning)."""
    stage = Pipeline((Stage("A", 0.1), Stage("B", 0.5), WON, LOST))
    t0 = datetime(2026, 1, 5, 9)

    def at(h: float) -> datetime:
        return t0 + timedelta(hours=h)

    day = t0.date()
    deals = [
        Deal("D1", "C1", "x", 100.0, "Won", "won", day, day, closed=day),
        Deal("D2", "C1", "x", 100.0, "Lost", "lost", day, day, closed=day),
        Deal("D3", "C1", "x", 100.0, "Won", "won", day, day, closed=day),
        Deal("D4", "C1", "x", 100.0, "B", "open", day, day),
    ]
    log = [
        StageEvent(at(0), "D1", None, "A"),
        StageEvent(at(24), "D1", "A", "B"),
        StageEvent(at(48), "D1", "B", "Won"),
        StageEvent(at(1), "D2", None, "A"),
        StageEvent(at(30), "D2", "A", "Lost"),
        StageEvent(at(2), "D3", None, "A"),
        StageEvent(at(72), "D3", "A", "Won"),
        StageEvent(at(3), "D4", None, "A"),
        StageEvent(at(96), "D4", "A", "B"),
    ]
    small = SalesData.from_records(
        Settings(as_of=date(2026, 1, 31)), {"deals": deals, "stage_log": log}, pipeline=stage
    )
    rows = build_report(small).to_dict()["stage_probabilities"]
    assert rows == [
        {
            "stage": "A",
            "configured": 0.1,
            "learned": pytest.approx(3 / 13),
            "observed": pytest.approx(2 / 3),
            "closed": 3,
            "won": 2,
            "days_to_close": pytest.approx((2 + 70 / 24) / 2),
        },
        {
            "stage": "B",
            "configured": 0.5,
            "learned": pytest.approx(7 / 12),
            "observed": 1,
            "closed": 2,
            "won": 2,
            "days_to_close": pytest.approx(0.5),
        },
    ]
    # before anything closed: the configured probabilities, resting on no deal
    early = dataclasses.replace(small, settings=Settings(as_of=date(2026, 1, 5)))
    first = build_report(early).stage_probabilities
    assert first["learned"].tolist() == [0.1, 0.5]
    assert first["closed"].tolist() == [0, 0]
    assert first["observed"].isna().all()


def test_the_plain_report_learns_cheaply_and_simulates_nothing(report) -> None:
    """The report `salesflow report` and `demo` print runs no revenue simulation; the
    Dashboard's cached values are computed without the learned probabilities."""
    assert report.revenue is None
    assert build_report(demo.generate(scale=0.2), learned=False).stage_probabilities is None


def test_the_terminal_report_shows_the_learned_probabilities(report) -> None:
    stream = io.StringIO()
    print_report(report, Console(file=stream, width=200))
    text = stream.getvalue()
    assert "Win probability per stage: configured and learned from the closed deals" in text
    for row in report.stage_probabilities.itertuples():
        line = next(
            line
            for line in text.splitlines()
            if line.startswith(f"│ {row.stage} ") and "%" in line and line.count("│") == 7
        )
        assert f"{100 * row.configured:.1f} %" in line
        assert f"{100 * row.learned:.1f} %" in line
        assert f" {row.closed:,} " in line
