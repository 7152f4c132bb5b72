"""The refusals and problems the core, the workbook reader, the gateways and the ribbon put in
words speak the language in effect: Simplified Chinese inside ``i18n.use("zh-CN")`` (or in a
workbook that records it), English by default, with the same facts (IDs, values, rows) in both.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from fake_excel import FakeBook
from openpyxl import load_workbook

from salesflow_xl.core import checks, demo, demo_language, i18n, transitions
from salesflow_xl.core.errors import DealClosedError, InvalidArgumentError, SalesflowError
from salesflow_xl.core.model import DEFAULT_PIPELINE, Deal
from salesflow_xl.excel import ribbon
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.ooxml.package import PackageError
from salesflow_xl.workbook import language, reader, schema, template
from salesflow_xl.workbook.problems import WorkbookInvalidError

CHINESE = re.compile(r"[\u4e00-\u9fff]")
WHEN = datetime(2026, 6, 30, 9)


def refusal(function, *args, error=SalesflowError, code: str | None = None) -> str:
    """The message of the error ``function(*args)`` raises, in language ``code`` (default:
    the language in effect)."""
    with pytest.raises(error) as caught, i18n.use(code or i18n.current()):
        function(*args)
    return str(caught.value)


def test_a_closed_deal_refuses_to_move_in_the_language_in_effect() -> None:
    deal = Deal(
        id="D00042",
        customer_id="C0001",
        title="Espresso supply",
        value=6000.0,
        stage="Closed won",
        status="won",
        created=date(2026, 2, 1),
        stage_entered=date(2026, 3, 1),
        closed=date(2026, 3, 1),
    )
    english = refusal(transitions.advance, deal, DEFAULT_PIPELINE, WHEN, error=DealClosedError)
    chinese = refusal(
        transitions.advance, deal, DEFAULT_PIPELINE, WHEN, error=DealClosedError, code="zh-CN"
    )
    assert english == f"deal {deal.id}: is won; reopen it before moving it"
    assert chinese.startswith(f"商机 {deal.id}：")
    assert CHINESE.search(chinese)
    assert "reopen" not in chinese


def test_an_invalid_argument_says_what_was_expected_in_chinese() -> None:
    english = refusal(checks.positive, "scale", 0, error=InvalidArgumentError)
    chinese = refusal(checks.positive, "scale", 0, error=InvalidArgumentError, code="zh-CN")
    assert english == "scale must be a number > 0, got 0"
    # the argument's name and the value received stay as they are; the rest is Chinese
    assert chinese.startswith("scale ")
    assert chinese.endswith(" 0")
    assert CHINESE.search(chinese)
    assert "must be" not in chinese
    assert i18n.current() == "en"
    # the stages a pipeline offers are its own names, in both languages
    with i18n.use("zh-CN"), pytest.raises(InvalidArgumentError) as caught:
        DEFAULT_PIPELINE.stage("Maybe")
    assert "Lead acquisition, Nurturing" in str(caught.value)
    assert "must be" not in str(caught.value)


@pytest.fixture(scope="module")
def chinese_content() -> bytes:
    data = demo_language.localized(demo.generate(scale=0.1), "zh-CN")
    with i18n.use("zh-CN"):
        return template.render(data)


def broken(content: bytes) -> bytes:
    """``content`` with a text in the first deal's Value cell (column E of the Deals sheet)."""
    with i18n.use(language.of_bytes(content)):
        sheet = schema.DEALS.sheet
    book = load_workbook(io.BytesIO(content))
    book[sheet]["E2"] = "abc"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_chinese_workbook_problem_names_its_sheet_and_column_in_chinese(
    chinese_content,
) -> None:
    content = broken(chinese_content)
    assert language.of_bytes(content) == "zh-CN"
    _data, problems = reader.read_bytes(content, "销售.xlsx")
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("商机", 2, "金额", "abc")
    with i18n.use("zh-CN"):
        shown = str(problem)
        whole = str(WorkbookInvalidError("销售.xlsx", problems))
    assert shown.startswith("商机 第 2 行")
    assert "'金额'" in shown
    assert "'abc'" in shown
    assert not re.search(r"\b(row|column|expected|found)\b", shown)
    assert whole.startswith("销售.xlsx ")
    assert CHINESE.search(whole.splitlines()[0])


def test_an_english_workbook_problem_reads_as_it_always_did() -> None:
    content = broken(template.render(demo.generate(scale=0.1)))
    _data, problems = reader.read_bytes(content)
    assert [str(p) for p in problems] == [
        "Deals row 2, column 'Value': expected a number, found 'abc'"
    ]


def test_the_file_gateway_refuses_what_is_no_workbook_in_the_language_in_effect(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(b"just some text, no zip")
    english = refusal(WorkbookFile(path).read, error=PackageError)
    chinese = refusal(WorkbookFile(path).read, error=PackageError, code="zh-CN")
    assert english.startswith("Sales.xlsx is not a readable Excel workbook (.xlsx): ")
    assert chinese.startswith("Sales.xlsx ")
    assert "Excel" in chinese
    assert CHINESE.search(chinese)
    assert "is not a readable" not in chinese
    missing = tmp_path / "Nowhere.xlsx"
    assert refusal(WorkbookFile(missing).read) == f"{missing} does not exist"
    assert CHINESE.search(refusal(WorkbookFile(missing).read, code="zh-CN"))


def test_the_ribbon_speaks_a_chinese_workbook_s_language(chinese_content, monkeypatch) -> None:
    """A message box of the ribbon on a Chinese workbook is Chinese, though nothing else set
    the language: the button runs in the workbook's own."""
    fake = FakeBook(chinese_content)
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    ribbon.advance()  # nothing selected
    mode, message = [c for c in fake.calls if c[0] == "alert"][-1][1:]
    assert mode == "critical"
    assert "商机" in message
    assert "select" not in message
    with i18n.use("zh-CN"):
        data = reader.read_snapshot(chinese_content).data
    closed = int(data.deals.index[data.deals["status"] != "open"][0]) + 2
    fake.select("商机", closed, closed)
    ribbon.advance()
    assert fake.writes() == []
    message = [c for c in fake.calls if c[0] == "alert"][-1][2]
    assert message.startswith("商机 ")
    assert "请先重新打开" in message
    assert "reopen" not in message
