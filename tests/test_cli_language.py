"""The command line speaks the language chosen with ``salesflow --lang`` (or SALESFLOW_LANG),
else the language of the workbook a command opens, else English: its summaries, errors and
the "Error:" of usage errors alike. Each command's language is its own: it does not leak into
the next command run in the same process."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from salesflow_xl.cli import main
from salesflow_xl.core import i18n
from salesflow_xl.workbook import language

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FUTURE = "2099-01-01"  # a time an action refuses to record: it has not happened yet
LEADS = "name,company,email\nAda Park,Park Café,ada@park.example\n"


def invoke(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """A demo workbook in each language, made as a user makes them."""
    folder = tmp_path_factory.mktemp("books")
    books = {"zh-CN": folder / "演示.xlsx", "en": folder / "Demo.xlsx"}
    for code, path in books.items():
        result = invoke("new", path, "--demo", "--lang", code)
        assert result.exit_code == 0, result.output
        assert language.of_path(path) == code
    return books


@pytest.fixture
def books(made, tmp_path) -> dict[str, Path]:
    """Copies of the demo workbooks this test may change."""
    return {code: Path(shutil.copy(path, tmp_path / path.name)) for code, path in made.items()}


def test_a_new_workbook_is_announced_in_its_language(tmp_path) -> None:
    english = invoke("new", tmp_path / "a.xlsx")
    assert english.output.startswith("Created ")
    assert "customers and" in english.output
    chinese = invoke("new", tmp_path / "b.xlsx", "--lang", "zh-CN")
    assert chinese.exit_code == 0, chinese.output
    assert CHINESE.search(chinese.output)
    assert "Created" not in chinese.output
    assert "customers" not in chinese.output


def test_an_import_on_a_chinese_workbook_reports_in_chinese(books, tmp_path) -> None:
    """The lines the command prints itself after the action ("Added: …") are Chinese."""
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    chinese = invoke("import", books["zh-CN"], leads, "--at", "2026-07-01")
    assert chinese.exit_code == 0, chinese.output
    added = [line for line in chinese.output.splitlines() if "Ada Park" in line]
    assert len(added) == 1
    assert added[0].startswith("  新增：")
    assert "Added:" not in chinese.output
    english = invoke("import", books["en"], leads, "--at", "2026-07-01")
    assert english.exit_code == 0, english.output
    assert "  Added: line 2: " in english.output
    assert language.of_path(books["zh-CN"]) == "zh-CN"  # written in its own language


def test_check_speaks_the_workbooks_language(made) -> None:
    english = invoke("check", made["en"])
    assert english.exit_code == 0, english.output
    assert "OK — 150 customers, 300 deals" in english.output
    chinese = invoke("check", made["zh-CN"])
    assert chinese.exit_code == 0, chinese.output
    assert "150 个客户，300 个商机" in chinese.output
    assert "OK" not in chinese.output
    assert "customers" not in chinese.output


def test_a_refusal_on_a_chinese_workbook_is_chinese(books) -> None:
    """A time in the future is refused while the action is planned, in the workbook's language;
    nothing is written."""
    before = books["zh-CN"].read_bytes()
    refused = invoke("advance", books["zh-CN"], "D00016", "--at", FUTURE)
    assert refused.exit_code == 1
    assert refused.output.startswith(f"错误：--at {FUTURE} ")
    assert CHINESE.search(refused.output.removeprefix("错误："))
    assert "Error" not in refused.output
    assert "future" not in refused.output
    assert books["zh-CN"].read_bytes() == before


def test_a_refusal_on_an_english_workbook_stays_english(books) -> None:
    refused = invoke("advance", books["en"], "D00016", "--at", FUTURE)
    assert refused.exit_code == 1
    assert refused.output == (f"Error: --at {FUTURE} is in the future: record what has happened\n")


def test_errors_from_deeper_down_get_the_chinese_prefix(books) -> None:
    """The message of an unknown deal comes from the actions; its "Error:" is the command
    line's, in the workbook's language."""
    refused = invoke("advance", books["zh-CN"], "D99999", "--at", "2026-07-01")
    assert refused.exit_code == 1
    assert refused.output.startswith("错误：")
    assert "D99999" in refused.output
    assert "商机" in refused.output  # the Deals sheet, named in the message
    assert not re.search(r"\b(no|deal|on|the|sheet)\b", refused.output)
    english = invoke("--lang", "en", "advance", books["zh-CN"], "D99999", "--at", "2026-07-01")
    assert english.output.startswith("Error: no deal D99999 on the 商机 sheet")


def test_lang_before_the_command_chooses_english_for_a_chinese_workbook(books, tmp_path) -> None:
    """salesflow --lang en: the summary and the refusals made while planning follow the
    choice, not the workbook; the workbook is still written in Chinese."""
    refused = invoke("--lang", "en", "advance", books["zh-CN"], "D00016", "--at", FUTURE)
    assert refused.exit_code == 1
    assert refused.output == (f"Error: --at {FUTURE} is in the future: record what has happened\n")
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    english = invoke("--lang", "en", "import", books["zh-CN"], leads, "--at", "2026-07-01")
    assert english.exit_code == 0, english.output
    assert "  Added: line 2: " in english.output
    assert "新增" not in english.output
    assert language.of_path(books["zh-CN"]) == "zh-CN"


def test_lang_before_the_command_chooses_chinese_for_an_english_workbook(made) -> None:
    chinese = invoke("--lang", "zh-CN", "check", made["en"])
    assert chinese.exit_code == 0, chinese.output
    assert "150 个客户，300 个商机" in chinese.output


def test_the_environment_chooses_the_language(books, made) -> None:
    env = {"SALESFLOW_LANG": "zh-CN"}
    refused = invoke("advance", books["en"], "D00016", "--at", FUTURE, env=env)
    assert refused.exit_code == 1
    assert refused.output.startswith(f"错误：--at {FUTURE} ")
    assert "future" not in refused.output
    english = invoke("check", made["zh-CN"], env={"SALESFLOW_LANG": "en"})
    assert "OK — 150 customers" in english.output
    # the option before the command wins over the environment
    chosen = invoke("--lang", "en", "check", made["en"], env=env)
    assert "OK — 150 customers" in chosen.output


def test_a_commands_own_lang_wins(tmp_path) -> None:
    """new --lang makes the workbook in its language, whatever salesflow --lang says (which
    keeps the messages); without its own --lang, new follows salesflow --lang (or
    SALESFLOW_LANG)."""
    own = tmp_path / "own.xlsx"
    result = invoke("--lang", "zh-CN", "new", own, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert language.of_path(own) == "en"
    assert result.output.startswith("已创建 ")
    chosen = tmp_path / "chosen.xlsx"
    result = invoke("new", chosen, env={"SALESFLOW_LANG": "zh-CN"})
    assert result.exit_code == 0, result.output
    assert language.of_path(chosen) == "zh-CN"
    assert CHINESE.search(result.output)


def test_a_date_that_does_not_exist_is_refused_in_the_chosen_language(made) -> None:
    args = ("advance", made["en"], "D00016", "--at", "2026-02-30")
    english = invoke(*args)
    assert english.exit_code == 2
    assert "2026-02-30 does not exist: February 2026 has 28 days" in english.output
    chinese = invoke("--lang", "zh-CN", *args)
    assert chinese.exit_code == 2
    assert chinese.output.startswith("错误：")
    assert "2026 年2月只有 28 天" in chinese.output
    assert "February" not in chinese.output
    assert "--help" in chinese.output
    assert "参见" in chinese.output


def test_click_usage_errors_get_our_prefix_and_hint_in_the_chosen_language() -> None:
    """Click's own text (a missing argument) stays as click writes it."""
    english = invoke("advance")
    assert english.exit_code == 2
    assert english.output.startswith("Error: Missing argument")
    assert "(see '" in english.output
    assert "advance --help')" in english.output
    chinese = invoke("--lang", "zh-CN", "advance")
    assert chinese.exit_code == 2
    assert chinese.output.startswith("错误：Missing argument")
    assert "advance --help" in chinese.output
    assert "(see" not in chinese.output


@pytest.mark.parametrize("where", ["option", "environment"])
def test_a_language_salesflow_does_not_speak_is_a_usage_error(made, where) -> None:
    if where == "option":
        result = invoke("--lang", "fr", "check", made["en"])
    else:
        result = invoke("check", made["en"], env={"SALESFLOW_LANG": "fr"})
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
    assert "'fr': use en or zh-CN" in result.output


def test_a_commands_language_ends_with_it(made) -> None:
    """Commands run one after another in one process (as tests and programs do) each start
    in English: a Chinese workbook's language does not stay behind."""
    assert i18n.current() == i18n.DEFAULT
    assert invoke("check", made["zh-CN"]).exit_code == 0
    assert invoke("--lang", "zh-CN", "check", made["en"]).exit_code == 0
    assert i18n.current() == i18n.DEFAULT
    refused = invoke("advance", "missing.xlsx", "D00016")
    assert refused.output.startswith("Error: ")


def test_follow_ups_speak_the_workbooks_language(made) -> None:
    english = invoke("followups", made["en"])
    assert english.exit_code == 0, english.output
    assert "day(s) late" in english.output
    chinese = invoke("followups", made["zh-CN"])
    assert chinese.exit_code == 0, chinese.output
    assert "逾期" in chinese.output
    assert "late" not in chinese.output
    # the columns after the (double-width) Chinese words still line up
    lines = chinese.output.splitlines()
    starts = {cell_len(line.split("D0")[0]) for line in lines if " D0" in line}
    assert len(starts) == 1


def test_an_order_import_on_a_chinese_workbook_reports_in_chinese(books) -> None:
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "orders.csv"
    chinese = invoke("import-orders", books["zh-CN"], example, "--at", "2026-07-01")
    assert chinese.exit_code == 0, chinese.output
    assert "  识别为：" in chinese.output
    assert "  新客户：第 3 行：" in chinese.output
    assert "Read as" not in chinese.output
    assert "New customer:" not in chinese.output
    english = invoke("import-orders", books["en"], example, "--at", "2026-07-01")
    assert "  Read as: a generic order file" in english.output
    assert "  New customer: line 3: " in english.output


def test_new_with_its_own_lang_makes_the_workbook_and_keeps_the_chosen_messages(tmp_path) -> None:
    """salesflow --lang en new X --lang zh-CN: a Chinese workbook, told in English."""
    from salesflow_xl.workbook import language

    path = tmp_path / "X.xlsx"
    made = invoke("--lang", "en", "new", path, "--lang", "zh-CN")
    assert made.exit_code == 0, made.output
    assert made.output.startswith("Created ")
    assert language.of_path(path) == "zh-CN"
    again = tmp_path / "Y.xlsx"
    assert CHINESE.search(invoke("new", again, "--lang", "zh-CN").output)
