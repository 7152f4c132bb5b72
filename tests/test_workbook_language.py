"""The Dashboard and the Analytics sheet speak the workbook's language: built in Chinese (zh-CN),
every label they show — titles, KPI labels, block titles, column headers, explanations, the
banner and the charts' titles — is Chinese, while formulas, function names and the data's own
names are not labels; built in English they say what they always said. Built with
``template.build`` (no cached values)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import same_cell_value
from openpyxl.chart.title import Title
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from salesflow_xl.core import demo, demo_language, i18n
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.workbook import analytics, dashboard, language, schema, template

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LANGUAGE = "zh-CN"
#: Texts that may stay as they are on a Chinese sheet, by sheet constant: none on the Dashboard
#: and Analytics; on xlwings.conf the key and module xlwings reads, in every language.
UNTRANSLATED: dict[str, set[str]] = {
    "DASHBOARD_SHEET": set(),
    "ANALYTICS_SHEET": set(),
    "XLWINGS_SHEET": {"UDF MODULES", "salesflow_udfs"},
}
#: Texts in formulas that are no label: COUNTIFS criteria. (A deal's status and the Deals'
#: Rotting flag a formula compares with are words of the workbook's language.)
NOT_LABELS = {"", "<=", ">=", ">0", "="}
STRING_LITERAL = re.compile(r'"((?:[^"]|"")*)"')


@pytest.fixture(scope="module")
def data() -> SalesData:
    return demo_language.localized(demo.generate(), LANGUAGE)


@pytest.fixture(scope="module")
def chinese(data) -> Workbook:
    with i18n.use(LANGUAGE):
        return template.build(data)


def in_chinese(function, *args) -> Any:
    with i18n.use(LANGUAGE):
        return function(*args)


def sheet(book: Workbook, constant: str) -> Worksheet:
    return book[in_chinese(schema.sheet_name, constant)]


def is_formula(value: Any) -> bool:
    return isinstance(value, ArrayFormula) or (isinstance(value, str) and value.startswith("="))


def texts(ws: Worksheet) -> Iterator[tuple[str, str]]:
    """Cell reference → text, for every cell holding text that is not a formula."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and not is_formula(cell.value):
                yield cell.coordinate, cell.value


def not_chinese(ws: Worksheet, constant: str, skip: set[str] = frozenset()) -> dict[str, str]:
    return {
        ref: text
        for ref, text in texts(ws)
        if ref not in skip and text not in UNTRANSLATED[constant] and not CHINESE.search(text)
    }


def function_cells(data: SalesData) -> set[str]:
    """The Analytics cells showing the function a row uses (column D): formula text, not a
    label (its table and column names are the schema's, in the workbook's language)."""
    return {f"D{row}" for row, _ in in_chinese(analytics.layout, data).rows}


def title_text(title: Title | None) -> str:
    assert title is not None
    assert title.tx.rich is not None
    return "".join(run.t for paragraph in title.tx.rich.p for run in paragraph.r or ())


def test_every_dashboard_label_is_chinese(chinese, data) -> None:
    ws = sheet(chinese, "DASHBOARD_SHEET")
    assert ws.title == "仪表板"
    assert ws["A1"].value == "SalesFlow 仪表板"
    assert len(list(texts(ws))) >= 30  # title, as-of, 9 KPIs, 4 block titles, their headers
    forecast = in_chinese(dashboard.layout, data).forecast  # its months are data ("2026-07")
    months = {f"K{row}" for row in range(forecast.first_row, forecast.note_row)}
    assert {ref for ref, _ in texts(ws)} >= months
    assert not_chinese(ws, "DASHBOARD_SHEET", months) == {}


def test_every_analytics_label_is_chinese(chinese, data) -> None:
    ws = sheet(chinese, "ANALYTICS_SHEET")
    assert ws.title == "分析"
    labels = dict(texts(ws))
    skip = function_cells(data)
    assert len(set(labels) - skip) >= 25  # title, headers, sections, every comparison, blocks
    assert not_chinese(ws, "ANALYTICS_SHEET", skip) == {}
    for ref in skip:  # column D: the function as written, named as in Excel
        assert ws[ref].value.split("(")[0].isupper(), ref


def test_the_analytics_formulas_show_chinese_texts(chinese) -> None:
    """The banner and the text a function cell shows without the add-in are in formulas: every
    text a formula shows is Chinese, except the data's own keys it compares with."""
    ws = sheet(chinese, "ANALYTICS_SHEET")
    banner = ws[analytics.BANNER_CELL].value
    working, missing = STRING_LITERAL.findall(banner)
    assert CHINESE.search(working)
    assert CHINESE.search(missing)
    assert [working, missing] == in_chinese(
        lambda: [analytics.BANNER_WORKING, analytics.BANNER_MISSING]
    )
    shown = set()
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value.text if isinstance(cell.value, ArrayFormula) else cell.value
            if is_formula(cell.value):
                shown.update(STRING_LITERAL.findall(value))
    assert "需要加载项" in shown
    assert {text for text in shown - NOT_LABELS if not CHINESE.search(text)} == set()


def test_the_words_salesflow_writes_in_cells_are_chinese(chinese, data) -> None:
    """A deal's status (进行中, 赢单, 丢单), its Rotting flag and a stage's outcome are words of the
    workbook's language, in the cells and in the formulas that write or compare them; the
    reader takes a stage's outcome in that language or as the English code."""
    words = {"open": "进行中", "won": "赢单", "lost": "丢单", "Rotting": "停滞"}
    assert {code: in_chinese(schema.word, code) for code in words} == words
    stages = chinese[in_chinese(lambda: schema.STAGES.sheet)]
    outcome = schema.STAGES.columns.index(schema.STAGES.column_for("outcome"))
    assert {row[outcome] for row in stages.iter_rows(min_row=2, values_only=True)} == {
        "进行中",
        "赢单",
        "丢单",
    }
    deals = chinese[in_chinese(lambda: schema.DEALS.sheet)]
    formulas = " ".join(
        str(cell.value)
        for cell in deals[2]
        if isinstance(cell.value, str) and is_formula(cell.value)
    )
    assert {'"进行中"', '"赢单"', '"停滞"', '"（未知客户）"'} <= {
        f'"{text}"' for text in STRING_LITERAL.findall(formulas)
    }
    assert not {"open", "won", "lost", "Rotting"} & set(STRING_LITERAL.findall(formulas))
    with i18n.use(LANGUAGE):
        assert [schema.outcome_of(t) for t in ("赢单", " Won ", "丢单", "进行中", "成交")] == [
            "won",
            "won",
            "lost",
            "open",
            None,
        ]
    assert schema.outcome_of("赢单") is None  # an English workbook's words are English
    rotting = schema.DEALS.columns.index(schema.DEALS.column_for("Rotting"))
    english = template.build(demo.generate())[schema.DEALS.sheet][2][rotting].value
    assert '"open"' in english
    assert '"Rotting"' in english


def test_every_dashboard_chart_title_is_chinese(chinese) -> None:
    charts = sheet(chinese, "DASHBOARD_SHEET")._charts
    assert len(charts) == 3
    titles = [title_text(chart.title) for chart in charts]
    titles += [title_text(chart.y_axis.title) for chart in charts if chart.y_axis.title]
    assert len(titles) == 4  # three charts and the value chart's axis
    assert [t for t in titles if not CHINESE.search(t)] == []


def test_the_settings_and_lists_labels_are_chinese(chinese) -> None:
    settings = sheet(chinese, "SETTINGS_SHEET")
    assert settings["A1"].value == "SalesFlow 设置"
    values = {"¥"}  # the currency symbol: a value, not a label
    assert [t for _, t in texts(settings) if not CHINESE.search(t) and t not in values] == []
    lists = sheet(chinese, "LISTS_SHEET")
    headers = [cell.value for cell in lists[1] if cell.value]
    assert len(headers) == len(schema.LISTS)
    assert [h for h in headers if not CHINESE.search(h)] == []
    assert not_chinese(chinese[schema.XLWINGS_SHEET], "XLWINGS_SHEET") == {}


def test_the_sheets_show_what_their_layouts_say(chinese, data) -> None:
    """The labels a re-layout compares with what Excel shows (:mod:`relayout`) are the ones the
    builder wrote, in the same language: the layout and the sheet agree cell for cell."""
    board = sheet(chinese, "DASHBOARD_SHEET")
    plan = in_chinese(dashboard.layout, data)
    for label, figure in plan.kpis:
        column = re.match(r"[A-Z]+", figure.cell).group()
        assert board[f"{column}{dashboard.KPI_LABEL_ROW}"].value == label
    for block in plan.blocks.values():
        row, column = block.anchor
        assert board.cell(row=row, column=column).value == block.title
        shown = [
            board.cell(row=row + 1, column=column + i).value for i in range(len(block.headers))
        ]
        assert shown == list(block.headers)
    ws = sheet(chinese, "ANALYTICS_SHEET")
    layout = in_chinese(analytics.layout, data)
    expected = {f"A{row}": title for row, title in layout.section_titles}
    expected |= {f"A{row}": comparison.label for row, comparison in layout.rows}
    for block in layout.blocks:  # the first block's title is in the last section's title cell
        top_left = block.ref.split(":")[0]
        expected[f"{top_left[0]}{int(top_left[1:]) - 1}"] = block.title
    assert {ref: ws[ref].value for ref in expected} == expected


def test_the_kpis_are_named_in_english_in_the_code(data) -> None:
    """Analytics names the Dashboard's KPIs by their English labels, whatever the language:
    its velocity row points at the same cells in both."""
    english = [c for _, c in analytics.layout(data).rows if "VELOCITY" in c.function][-1]
    chinese_row = [
        c for _, c in in_chinese(analytics.layout, data).rows if "VELOCITY" in c.function
    ][-1]
    assert english.native == "=Dashboard!G5"
    assert chinese_row.native == "=仪表板!G5"
    assert chinese_row.function.count("仪表板!") == 4


def test_english_is_as_it_was(data) -> None:
    """In English the labels are the texts as written (the committed workbooks, built in
    English, are held byte for byte by tests/test_template.py)."""
    plan = dashboard.layout(data)
    assert [label for label, _ in plan.kpis][:4] == [
        "Open deals",
        "Open pipeline",
        "Weighted forecast",
        "Win rate",
    ]
    assert plan.blocks["funnel"].headers[:2] == ("Stage", "Deals now")
    assert analytics.WITHOUT_ADDIN == "add-in needed"
    assert analytics.SHEET == "Analytics"
    assert analytics.BANNER.startswith('=IF(ISNUMBER(WIN_RATE(3,1)),"Column B uses')
    assert analytics.guarded("=CAC(1,2)") == '=IFERROR(CAC(1,2),"add-in needed")'
    with i18n.use(LANGUAGE):
        assert analytics.guarded("=CAC(1,2)") == '=IFERROR(CAC(1,2),"需要加载项")'
        assert analytics.SHEET == "分析"


def test_a_workbook_records_its_language() -> None:
    """The hidden defined name SalesFlowLanguage says which language a workbook speaks; a
    workbook made before SalesFlow spoke Chinese records none and is English."""
    root = Path(__file__).parent
    committed = (root.parent / "workbook" / "SalesFlow-demo.xlsx").read_bytes()
    assert language.of_bytes(committed) == "en"
    older = root / "data" / "demo-before-customer-values.xlsx"
    assert b"SalesFlowLanguage" not in zipfile.ZipFile(older).read("xl/workbook.xml")
    assert language.of_bytes(older.read_bytes()) == "en"
    data = demo_language.localized(demo.generate(), "zh-CN")
    with i18n.use("zh-CN"):
        chinese = template.to_bytes(template.build(data))
    assert language.of_bytes(chinese) == "zh-CN"
    names = zipfile.ZipFile(io.BytesIO(chinese)).read("xl/workbook.xml")
    assert b'<definedName name="SalesFlowLanguage" hidden="1">"zh-CN"</definedName>' in names


@pytest.mark.libreoffice
def test_libreoffice_computes_the_chinese_workbook_as_the_core() -> None:
    """The demo workbook built in Chinese — Chinese sheet names and column names in every
    structured reference — recalculated by LibreOffice: no error, every formula cell the
    core's figure."""
    from openpyxl import load_workbook

    from salesflow_xl.ooxml.package import Package
    from salesflow_xl.ooxml.sheetxml import computed_cells
    from salesflow_xl.recalc import libreoffice as recalc
    from salesflow_xl.workbook import cached

    data = demo_language.localized(demo.generate(), "zh-CN")
    with i18n.use("zh-CN"):
        raw = template.to_bytes(template.build(data))  # no cached values: LibreOffice's own
        expected = cached.core_values(data)
    result = recalc.recalculate(raw)
    assert result.errors == {}
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    package = Package.from_bytes(result.content)
    assert "设置" in package.sheet_parts()
    checked, wrong = 0, {}
    for sheet, part in package.sheet_parts().items():
        for ref in computed_cells(package.read(part)):
            checked += 1
            got = book[sheet][ref].value
            if not same_cell_value(expected[sheet][ref], got):
                wrong[f"{sheet}!{ref}"] = (expected[sheet][ref], got)
    assert checked > 5000
    assert wrong == {}


def test_the_chinese_and_english_demo_workbooks_hold_the_same_numbers() -> None:
    """Built from the same seed, the two workbooks differ in their words only: every number and
    date of every sheet, cell for cell (cached values included), is the same."""
    from openpyxl import load_workbook

    english = load_workbook(io.BytesIO(template.render(demo.generate())), data_only=True)
    with i18n.use("zh-CN"):
        content = template.render(demo_language.localized(demo.generate(), "zh-CN"))
    chinese = load_workbook(io.BytesIO(content), data_only=True)
    assert len(english.worksheets) == len(chinese.worksheets)
    numbers = 0
    for left, right in zip(english.worksheets, chinese.worksheets, strict=True):
        assert left.max_row == right.max_row, left.title
        for row in left.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, bool) or not isinstance(value, int | float | datetime):
                    continue
                numbers += 1
                if isinstance(value, datetime):
                    value = to_excel(value)
                assert same_cell_value(value, right[cell.coordinate].value), (
                    f"{left.title}!{cell.coordinate}"
                )
    assert numbers > 10_000


def test_a_chinese_workbook_is_made_read_and_worked_from_the_command_line(tmp_path) -> None:
    """salesflow new --lang zh-CN: a Chinese web shop that checks clean, takes actions in its
    own (Chinese) stages, stays Chinese, and reports in Chinese unless --lang says otherwise."""
    from click.testing import CliRunner

    from salesflow_xl.cli import main
    from salesflow_xl.workbook import reader

    def run(*args: object) -> str:
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result.output

    shop = tmp_path / "网店.xlsx"
    run("new", shop, "--preset", "ecommerce", "--lang", "zh-CN", "--demo")
    assert language.of_bytes(shop.read_bytes()) == "zh-CN"
    run("check", shop)
    with i18n.use("zh-CN"):
        data = reader.read_bytes(shop.read_bytes())[0]
    assert data.pipeline.names[0] == "首次接触"
    deal, stage = data.deals.loc[data.deals["status"] == "open", ["id", "stage"]].iloc[0]
    following = data.pipeline.funnel[data.pipeline.rank(stage) + 1].name
    assert following in run("advance", shop, deal, "--at", "2026-06-30 12:00")
    run("order", shop, "--customer", "C0001", "--amount", "88", "--date", "2026-06-30")
    run("refresh", shop, "--as-of", "2026-06-30")
    run("check", shop)
    assert language.of_bytes(shop.read_bytes()) == "zh-CN"
    with i18n.use("zh-CN"):
        after = reader.read_bytes(shop.read_bytes())[0]
    assert after.deals.set_index("id").loc[deal, "stage"] == following
    assert len(after.orders) == len(data.orders) + 1
    chinese = run("report", shop)
    assert "销售漏斗" in chinese
    assert "首次接触" in chinese
    english = run("report", shop, "--lang", "en")
    assert "Funnel" in english
    assert "首次接触" in english  # the workbook's own stage names stay as they are


def test_excel_works_a_chinese_workbook_in_chinese() -> None:
    """The ribbon's gateway reads the language Excel shows for the hidden name and writes the
    Chinese sheets: advancing a deal writes its stage (in Chinese) and a stage-log row."""
    from datetime import datetime

    from fake_excel import FakeBook

    from salesflow_xl.actions import deals
    from salesflow_xl.gateway import run
    from salesflow_xl.gateway.excel import ExcelBook

    data = demo_language.localized(demo.generate(), "zh-CN")
    with i18n.use("zh-CN"):
        content = template.render(data)
    fake = FakeBook(content)
    book = ExcelBook(fake)
    assert book.language() == "zh-CN"
    open_deals = data.deals[data.deals["status"] == "open"]
    deal, stage = open_deals[["id", "stage"]].iloc[0]
    following = data.pipeline.funnel[data.pipeline.rank(stage) + 1].name
    fake.calls.clear()
    run(book, lambda d: deals.advance(d, [deal], datetime(2026, 6, 30, 9)))
    written = {call[1] for call in fake.writes()}
    assert {"商机", "阶段记录"} <= written
    row = int(open_deals.index[0]) + 2
    assert fake.sheets["商机"].cells[(row, 6)] == following
    assert book.read().deals.set_index("id").loc[deal, "stage"] == following


def test_actions_from_the_cache_keep_a_chinese_dashboard_current(tmp_path) -> None:
    """The second action reads the workbook from its cache and recomputes only what changed:
    in a Chinese workbook too, the Dashboard's and Analytics' cells then hold the core's
    figures for the data read afresh (their names are Chinese: 仪表板, 分析)."""
    from click.testing import CliRunner
    from python_calamine import CalamineWorkbook

    from salesflow_xl.cli import main
    from salesflow_xl.workbook import cache, cached, reader

    def run(*args: object) -> None:
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, result.output

    book = tmp_path / "演示.xlsx"
    run("new", book, "--lang", "zh-CN", "--demo")
    with i18n.use("zh-CN"):
        data = reader.read_bytes(book.read_bytes())[0]
    first, second = data.deals.loc[data.deals["status"] == "open", "id"].iloc[:2]
    run("advance", book, first, "--at", "2026-06-30 10:00")
    assert cache.load(book, book.read_bytes()) is not None  # the next action reads the cache
    run("won", book, second, "--at", "2026-06-30 11:00")
    content = book.read_bytes()
    fresh = reader.read_snapshot(content)
    assert fresh.problems == []
    with i18n.use("zh-CN"):
        expected = cached.board_values(fresh.data)
        sheets = (schema.DASHBOARD_SHEET, schema.ANALYTICS_SHEET)
    assert sheets == ("仪表板", "分析")
    stored = CalamineWorkbook.from_filelike(io.BytesIO(content))
    for sheet in sheets:
        values = stored.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        assert len(expected[sheet]) > 20
        assert cached.changed_cells(expected[sheet], values) == {}, sheet


def test_learned_probability_in_a_chinese_workbook() -> None:
    """The Stages' Learned probability (学得概率) compares with the Chinese status words in its
    formula, and LEARNED_PROBABILITY over the Chinese Deals' columns (状态: 进行中, 赢单, 丢单)
    gives the figures the English workbook's core gives."""
    from openpyxl import load_workbook

    import salesflow_udfs
    from salesflow_xl.workbook import computed

    data = demo_language.localized(demo.generate(), LANGUAGE)
    with i18n.use(LANGUAGE):
        book = load_workbook(io.BytesIO(template.render(data)), data_only=True)
        formula = schema.formula_of(schema.STAGES, schema.STAGES.column("Learned probability"))
        deals, stages = book[schema.DEALS.sheet], book[schema.STAGES.sheet]
    for literal in ('<>"进行中"', '"赢单"', '"丢单"'):
        assert literal in formula
    assert "tblDeals[最远步骤]" in formula

    def column(ws: Worksheet, header: str) -> list[Any]:
        rows = list(ws.iter_rows(values_only=True))
        index = rows[0].index(header)
        return [[row[index]] for row in rows]

    statuses = column(deals, "状态")
    assert {row[0] for row in statuses[1:]} == {"进行中", "赢单", "丢单"}
    result = salesflow_udfs.LEARNED_PROBABILITY(
        column(stages, "漏斗步骤"), column(deals, "最远步骤"), statuses, column(stages, "概率")
    )
    english = computed.stage_columns(demo.generate())["Learned probability"]
    opened = len(data.pipeline.open_stages)
    assert [row[0] for row in result[1 : opened + 1]] == pytest.approx(english[:opened].tolist())
    cached_values = [row[0] for row in column(stages, "学得概率")[1:]]
    assert cached_values[:opened] == pytest.approx(english[:opened].tolist())
    assert cached_values[opened:] == [None, None]
