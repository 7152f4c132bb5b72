"""The presets (b2b, services, trade, ecommerce) and their demo businesses: each preset's names
fit its lists and Excel, each demo business only uses what its preset has, its chances add up,
it is deterministic, its workbook reads back without a problem, and LibreOffice recalculating
it computes every formula cell as the core does (the golden test, per preset)."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import same_cell_value
from openpyxl import load_workbook

from salesflow_xl.cli import main
from salesflow_xl.core import demo, i18n, presets
from salesflow_xl.core.demo_businesses import BUSINESSES
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.report import build_report
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.sheetxml import computed_cells
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import cached, reader, template

KEYS = list(presets.PRESETS)
NEW = [k for k in KEYS if k != presets.DEFAULT]


def test_the_presets_and_their_names() -> None:
    assert KEYS == ["b2b", "services", "trade", "ecommerce"]
    assert presets.preset(" Trade ") is presets.TRADE
    with pytest.raises(InvalidArgumentError, match="b2b or services or trade or ecommerce"):
        presets.preset("retail")


@pytest.mark.parametrize("key", KEYS)
def test_a_presets_lists_hold_distinct_short_names(key) -> None:
    kind = presets.preset(key)
    lists = kind.lists
    for name, values in (
        ("segments", lists.segments),
        ("channels", lists.channels),
        ("lost_reasons", lists.lost_reasons),
        ("activity_types", lists.activity_types),
        ("stages", kind.pipeline.names),
    ):
        assert 3 <= len(values) <= 8, name
        assert len({v.casefold() for v in values}) == len(values), name
        if key != "b2b":  # b2b keeps the names it always had
            assert all(len(v) <= 20 for v in values), name


@pytest.mark.parametrize("key", KEYS)
def test_a_demo_business_uses_only_what_its_preset_has(key) -> None:
    kind, business = presets.preset(key), BUSINESSES[key]
    lists, pipeline = kind.lists, kind.pipeline
    assert list(business.stages) == [s.name for s in pipeline.open_stages]
    assert set(business.channels) <= set(lists.channels)
    assert set(business.organic_channels) <= set(business.channels)
    assert {c[1] for c in business.campaigns} <= set(business.channels)
    assert set(business.business_words) == set(business.segments)
    if key != "b2b":  # b2b's demo has segments of its own (cafés, hotels …)
        assert list(business.segments) == list(lists.segments)
    assert math.isclose(sum(v[0] for v in business.segments.values()), 1.0)
    assert math.isclose(sum(v[0] for v in business.channels.values()), 1.0)
    last = len(pipeline.open_stages) - 1
    for rank, (stage, behaviour) in enumerate(business.stages.items()):
        chances = (behaviour.advance, behaviour.skip, behaviour.lose, behaviour.back)
        assert math.isclose(sum(chances), 1.0), stage
        assert min(chances) >= 0, stage
        assert rank > 0 or behaviour.back == 0, stage  # no stage before the first
        assert rank + 2 <= last or behaviour.skip == 0, stage  # a skip lands on an open stage
        assert set(behaviour.lost_reasons) <= set(lists.lost_reasons), stage
        assert set(behaviour.activities) <= set(lists.activity_types), stage


@pytest.fixture(scope="module", params=KEYS)
def business(request):
    data = demo.generate(preset=request.param)
    return request.param, data


def test_a_demo_business_is_deterministic_and_lives(business) -> None:
    key, data = business
    again = demo.generate(preset=key)
    for table in ("customers", "deals", "stage_log", "activities", "orders"):
        assert data.table(table).equals(again.table(table)), table
    assert len(data.deals) == 300
    assert data.pipeline == presets.preset(key).pipeline
    report = build_report(data)
    totals = report.totals
    assert totals["won"] >= 30
    assert totals["lost"] >= 30
    assert len(data.orders) >= 150
    assert 0.1 < report.win_rate < 0.6
    # every stage of the pipeline saw deals
    assert set(data.stage_log["to_stage"]) == set(data.pipeline.names)


def test_a_demo_workbook_reads_back_without_a_problem(business) -> None:
    _key, data = business
    back, problems = reader.read_bytes(template.render(data))
    assert problems == []
    assert back.pipeline == data.pipeline
    assert back.lists == data.lists
    assert len(back.orders) == len(data.orders)


@pytest.mark.libreoffice
@pytest.mark.parametrize("key", NEW)
def test_libreoffice_computes_every_cell_of_a_presets_demo_as_the_core(key) -> None:
    data = demo.generate(preset=key)
    result = recalc.recalculate(template.to_bytes(template.build(data)))
    assert result.errors == {}
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    expected = cached.core_values(data)
    package = Package.from_bytes(result.content)
    mismatches: dict[str, tuple[Any, Any]] = {}
    checked = 0
    for sheet, part in package.sheet_parts().items():
        for ref in computed_cells(package.read(part)):
            assert ref in expected.get(sheet, {}), f"{sheet}!{ref} has no core value"
            checked += 1
            got = book[sheet][ref].value
            if not same_cell_value(expected[sheet][ref], got):
                mismatches[f"{sheet}!{ref}"] = (expected[sheet][ref], got)
    assert checked > 3000
    assert mismatches == {}


@pytest.mark.parametrize("key", KEYS)
def test_a_presets_names_stay_distinct_in_chinese(key) -> None:
    kind = presets.preset(key)
    with i18n.use("zh-CN"):
        for values in (
            kind.lists.segments,
            kind.lists.channels,
            kind.lists.lost_reasons,
            kind.lists.activity_types,
            kind.pipeline.names,
            tuple(BUSINESSES[key].segments),
        ):
            chinese = [i18n.workbook_name(v) for v in values]
            assert len(set(chinese)) == len(chinese), chinese
            if key != "b2b":
                assert all(c != v for c, v in zip(chinese, values, strict=True)), chinese


def run_cli(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_command_shows_each_preset_in_either_language() -> None:
    chinese = run_cli("demo", "--lang", "zh-CN")
    for text in ("销售漏斗", "线索获取", "赢单率", "冠军客户"):
        assert text in chinese
    assert "Funnel" not in chinese
    shop = run_cli("demo", "--preset", "ecommerce", "--lang", "zh_CN")
    assert "首次接触" in shop
    assert "未转化" in shop
    english = json.loads(run_cli("demo", "--preset", "trade", "--json"))
    assert [row["stage"] for row in english["funnel"]] == list(presets.TRADE.pipeline.names)
    refused = CliRunner().invoke(main, ["demo", "--lang", "fr"])
    assert refused.exit_code == 2
    assert "en or zh-CN" in refused.output


def test_a_new_workbook_of_a_preset_works(tmp_path) -> None:
    """salesflow new --preset: the preset's stages and lists; its demo checks clean and takes
    an action in its own stages."""
    blank = tmp_path / "Trade.xlsx"
    run_cli("new", blank, "--preset", "trade")
    data = reader.read_bytes(blank.read_bytes())[0]
    assert data.pipeline == presets.TRADE.pipeline
    assert data.lists == presets.TRADE.lists
    shop = tmp_path / "Shop.xlsx"
    run_cli("new", shop, "--preset", "ecommerce", "--demo")
    run_cli("check", shop)
    data = reader.read_bytes(shop.read_bytes())[0]
    deal, stage = data.deals.loc[data.deals["status"] == "open", ["id", "stage"]].iloc[0]
    following = data.pipeline.funnel[data.pipeline.rank(stage) + 1].name
    out = run_cli("advance", shop, deal, "--at", "2026-06-30 12:00")
    assert following in out
    after = reader.read_bytes(shop.read_bytes())[0]
    assert after.deals.set_index("id").loc[deal, "stage"] == following
