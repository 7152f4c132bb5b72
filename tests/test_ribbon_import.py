"""The ribbon's Import… button: the ribbon XML, the VBA and ribbon.py name each other, and an
older add-in's ``import_leads`` tag still runs it; driven through the recording fake Excel book,
it asks for the file (and a workbook's sheet, whether people are customers only or leads with a
deal, and the workbook stage of a deals file's unknown stages), shows the dry run in a Yes/No
box, every line of the plan's summary but its count included, and writes the import on Yes —
all of it — and nothing on No."""

from __future__ import annotations

import ast
import copy
import inspect
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from fake_excel import FakeBook
from fake_excel import active_book as fake_book
from oletools.olevba import VBA_Parser

from salesflow_xl.actions import leads, record_import
from salesflow_xl.addin import build
from salesflow_xl.cli import main
from salesflow_xl.core import i18n
from salesflow_xl.excel import ribbon
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.workbook import build as workbook_build

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
IMPORTS = Path(__file__).parent / "data" / "imports"
DEMO = (Path(__file__).parent.parent / "workbook" / workbook_build.DEMO_NAME).read_bytes()
PICK = "'SalesFlow.xlam'!SalesFlowPickFile"
ASK = "'SalesFlow.xlam'!SalesFlowAsk"


@pytest.fixture
def fake(monkeypatch) -> FakeBook:
    return fake_book(DEMO, monkeypatch)


def alerts(fake: FakeBook, buttons: str | None = None) -> list[tuple[Any, ...]]:
    return [c for c in fake.calls if c[0] == "alert" and buttons in (None, c[3])]


def cells(fake: FakeBook) -> dict[str, dict[tuple[int, int], Any]]:
    return {sheet.name: copy.deepcopy(sheet.cells) for sheet in fake.sheets}


# -- the ribbon, the VBA and Python name each other -------------------------------------------


def import_button() -> ElementTree.Element:
    root = ElementTree.fromstring((build.INSTALL / "ribbon.xml").read_bytes())
    (button,) = [b for b in root.iter(f"{UI}button") if b.get("id") == "sfImport"]
    return button


def vba_procedures(source: str) -> dict[str, str]:
    """Procedure name → its parameter list."""
    pattern = r"^Public (?:Sub|Function) (\w+)\(((?:[^()]|\([^()]*\))*)\)"
    return dict(re.findall(pattern, source, re.M | re.S))


def test_the_ribbon_has_the_import_button_in_place_of_import_leads() -> None:
    button = import_button()
    assert button.get("label") == "Import…"
    assert button.get("tag") == "import_file"
    assert "Yes" in button.get("supertip")
    xml = (build.INSTALL / "ribbon.xml").read_text(encoding="utf-8")
    assert "import_leads" not in xml
    assert "import_leads" not in ribbon.BUTTONS  # the current ribbon's tags only


def test_an_older_add_ins_import_leads_tag_runs_the_import(fake) -> None:
    """An add-in installed before the button was renamed sends the tag ``import_leads``:
    RunPython runs ``r.import_leads()``, which is the Import… button."""
    assert ribbon.import_leads is ribbon.import_file
    fake.app.answers = [str(IMPORTS / "hubspot-contacts.csv")]
    fake.app.replies = ["yes", "no"]  # customers only; then No to the dry run
    namespace: dict[str, object] = {}
    exec("import salesflow_xl.excel.ribbon as r; r.import_leads()", namespace)  # as RunPython
    assert [c[1] for c in fake.calls if c[0] == "macro"] == [PICK]
    dry_run = alerts(fake, "yes_no")[-1][2]
    assert dry_run.startswith("hubspot-contacts.csv: 12 row(s), read as contacts.")
    assert fake.writes() == []


def test_the_button_callback_exists_in_the_vba_and_in_python(tmp_path) -> None:
    button = import_button()
    source = (build.INSTALL / "SalesFlow.bas").read_text(encoding="ascii")
    assert button.get("onAction") in vba_procedures(source)
    # … and in the add-in as built and committed
    parser = VBA_Parser(str(build.INSTALL / build.ADDIN_NAME))
    try:
        modules = {name.rsplit(".", 1)[0]: code for *_, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert button.get("onAction") in vba_procedures(modules["SalesFlow"])
    tag = button.get("tag")
    assert ribbon.BUTTONS[tag] is getattr(ribbon, tag)
    assert inspect.signature(ribbon.BUTTONS[tag]).parameters == {}
    # RunPython runs "import salesflow_xl.excel.ribbon as r; r.<tag>()"
    assert re.search(r'"import salesflow_xl\.excel\.ribbon as r; r\." & action', source)


def test_the_file_picker_takes_the_filter_and_title_python_passes() -> None:
    source = (build.INSTALL / "SalesFlow.bas").read_text(encoding="ascii")
    params = vba_procedures(source)["SalesFlowPickFile"]
    assert re.findall(r"Optional ByVal (\w+) As String", params) == ["fileFilter", "title"]
    assert "GetOpenFilename(fileFilter, 1, title)" in source


# -- the import, through the fake Excel book --------------------------------------------------


def test_people_are_customers_only_unless_the_user_says_leads(fake) -> None:
    """A file of people: Yes (the box's default button) adds the customers only, read as
    contacts; then Yes to the dry run writes them, and no deal."""
    before = ExcelBook(fake).read()
    fake.app.answers = [str(IMPORTS / "hubspot-contacts.csv")]
    fake.app.replies = ["yes", "yes"]
    ribbon.import_file()

    (kind, question) = [c[2:4] for c in alerts(fake) if c[3] != "ok"]
    assert kind == (
        "hubspot-contacts.csv lists people (12 row(s)). Import them as customers only?\n\n"
        "Yes: customers only (contacts).\n"
        "No: leads, each also with a new deal in the pipeline's first stage.\n"
        "Cancel: import nothing.",
        "yes_no_cancel",
    )
    message = question[0]
    assert question[1] == "yes_no"
    assert "hubspot-contacts.csv: 12 row(s), read as contacts." in message
    assert (
        "Of 12 row(s), 11 would be added, 1 merged with what the workbook has and 0 skipped."
        in message.splitlines()
    )
    assert "Imported 12 row(s)" not in message  # the dry run says its own count
    assert "Added to the Lists sheet's channels: Referrals, " in message

    after = ExcelBook(fake).read()
    new = after.customers.iloc[len(before.customers) :]
    assert len(new) == 11
    assert "王小明" in new["name"].tolist()
    assert len(after.deals) == len(before.deals)  # customers only: no deal
    assert len(after.stage_log) == len(before.stage_log)
    done = alerts(fake)[-1]
    assert done[2].startswith("Imported 12 row(s): 11 added, 1 merged, 0 skipped.")


def test_cancelling_the_people_question_imports_nothing(fake) -> None:
    before = cells(fake)
    fake.app.answers = [str(IMPORTS / "hubspot-contacts.csv")]
    fake.app.replies = ["cancel"]
    ribbon.import_file()
    assert fake.writes() == []
    assert cells(fake) == before
    assert [c[3] for c in alerts(fake)] == ["yes_no_cancel"]  # and no further message


def test_no_imports_the_people_as_leads_each_with_a_deal(fake) -> None:
    before = ExcelBook(fake).read()
    path = IMPORTS / "hubspot-contacts.csv"
    fake.app.answers = [str(path)]
    fake.app.replies = ["no", "yes"]
    ribbon.import_file()

    picked = [c for c in fake.calls if c[0] == "macro"]
    assert [c[1] for c in picked] == [PICK]  # a CSV file: no sheet to ask for
    file_filter, title = picked[0][2]
    assert file_filter.split(",")[1] == "*.csv;*.xlsx;*.xlsm"
    assert title == "Import leads, contacts, deals or activities"

    (question,) = alerts(fake, "yes_no")
    message = question[2]
    # 12 rows; row 8 (line 9) is Mara Quill again, by her e-mail in other case and spaces
    assert "hubspot-contacts.csv: 12 row(s), read as leads." in message
    assert (
        "Of 12 row(s), 11 would be added, 1 merged with what the workbook has and 0 skipped."
        in message.splitlines()
    )
    for line in (
        "  first_name ← First Name",
        "  last_name ← Last Name",
        "  company ← Company Name",
        "  email ← Email",
        "  phone ← Phone Number, Mobile Phone Number",
        "  channel ← Original Source",
        "  created ← Create Date",
        "  Recognised, not imported: Contact owner",
    ):
        assert line in message.splitlines()
    assert "Not read: Record ID, Job Title" in message
    assert "Imported 12 row(s)" not in message  # nothing is imported yet
    assert "Added to the Lists sheet's channels: Referrals" in message
    assert message.endswith("Import these into Sales.xlsx?")

    after = ExcelBook(fake).read()
    new = after.customers.iloc[len(before.customers) :]
    assert len(new) == 11
    assert new["name"].tolist()[:2] == ["Mara Quill", "Tomás Ferreira"]
    assert "王小明" in new["name"].tolist()
    assert new["email"].tolist().count("mara.quill@quillandco.example.com") == 1
    assert len(after.deals) == len(before.deals) + 11
    assert "Referrals" in after.lists.channels
    done = alerts(fake)[-1]
    assert done[1] == "info"
    assert done[2].startswith("Imported 12 row(s): 11 added, 1 merged, 0 skipped.")


def test_no_writes_nothing(fake) -> None:
    before = cells(fake)
    fake.app.answers = [str(IMPORTS / "hubspot-contacts.csv")]
    fake.app.replies = ["no", "no"]  # leads; No to the dry run
    ribbon.import_file()
    assert fake.writes() == []
    assert cells(fake) == before
    assert len(alerts(fake, "yes_no")) == 1
    assert len(alerts(fake)) == 2  # the two questions, and no further message


def test_cancelling_the_file_dialog_does_nothing(fake) -> None:
    fake.app.answers = [False]  # GetOpenFilename's Cancel
    ribbon.import_file()
    assert fake.writes() == []
    assert alerts(fake) == []


def test_a_workbook_with_several_sheets_asks_which(fake) -> None:
    fake.app.answers = [str(IMPORTS / "chinese-contacts-split.xlsx"), "2"]
    fake.app.replies = ["no", "yes"]  # leads
    ribbon.import_file()
    asked = [c for c in fake.calls if c[0] == "macro" and c[1] == ASK]
    (prompt, default) = asked[0][2]
    assert "1. 填写说明\n2. 客户" in prompt
    assert default == "填写说明"  # the first: the user picks
    message = alerts(fake, "yes_no")[0][2]
    assert message.startswith("chinese-contacts-split.xlsx, sheet 客户: 10 row(s), read as leads.")
    assert "Of 10 row(s), 9 would be added, 1 merged" in message
    after = ExcelBook(fake).read()
    assert "王小明" in after.customers["name"].tolist()


def test_customers_only_from_a_workbooks_sheet_reads_that_sheet(fake) -> None:
    before = ExcelBook(fake).read()
    fake.app.answers = [str(IMPORTS / "chinese-contacts-split.xlsx"), "客户"]
    fake.app.replies = ["yes", "yes"]
    ribbon.import_file()
    (question,) = [c[2] for c in alerts(fake, "yes_no_cancel")]
    assert question.startswith("chinese-contacts-split.xlsx, sheet 客户 lists people (10 row(s)).")
    message = alerts(fake, "yes_no")[0][2]
    assert message.startswith(
        "chinese-contacts-split.xlsx, sheet 客户: 10 row(s), read as contacts."
    )
    after = ExcelBook(fake).read()
    assert len(after.customers) == len(before.customers) + 9
    assert len(after.deals) == len(before.deals)


def test_a_sheet_without_a_known_header_is_an_error_message(fake) -> None:
    fake.app.answers = [str(IMPORTS / "chinese-contacts-split.xlsx"), "填写说明"]
    ribbon.import_file()
    assert fake.writes() == []
    mode, message = alerts(fake)[-1][1:3]
    assert mode == "critical"
    assert message.startswith("the file has no name or e-mail column")


def test_deal_stages_the_workbook_lacks_are_asked_for(fake) -> None:
    before = ExcelBook(fake).read()
    fake.app.answers = [
        str(IMPORTS / "hubspot-deals.csv"),
        "negotiation",  # Contract Sent, by name (any case)
        "2",  # Presentation Scheduled: the second stage, Nurturing
        "Maybe",  # Qualified To Buy: no such stage, asked again …
        "1",  # … Lead acquisition
        "",  # Decision Maker Bought-In: left blank, skipped
        "",  # Appointment Scheduled: skipped
    ]
    fake.app.replies = ["yes"]
    ribbon.import_file()
    prompts = [c[2][0] for c in fake.calls if c[0] == "macro" and c[1] == ASK]
    assert len(prompts) == 6
    assert prompts[0].startswith(
        "Stage 'Contract Sent' of the file (2 row(s)) is not one of the workbook's stages."
    )
    assert "1. Lead acquisition\n2. Nurturing\n3. Negotiation" in prompts[0]
    assert prompts[3].startswith("'Maybe' is not one of the workbook's stages.")
    message = alerts(fake, "yes_no")[0][2]
    assert "hubspot-deals.csv: 14 row(s), read as deals." in message
    assert (
        "Of 14 row(s), 11 would be added, 0 merged with what the workbook has and 3 skipped."
        in message.splitlines()
    )
    assert "Imported 14 row(s) of deals" not in message  # said above, in the dry run's words
    assert alerts(fake, "yes_no_cancel") == []  # deals: no question about people
    assert "  Skipped: line 7: stage 'Decision Maker Bought-In'" in message
    assert (
        "  Stage 'Appointment Scheduled' (2 row(s)) is not mapped: "
        '--stage-map "Appointment Scheduled=STAGE"' in message
    )
    assert "Contract Sent" not in message
    assert (
        'salesflow import "Sales.xlsx" "'
        + str(IMPORTS / "hubspot-deals.csv")
        + '" --stage-map "Decision Maker Bought-In=STAGE" '
        '--stage-map "Appointment Scheduled=STAGE"' in message
    )
    after = ExcelBook(fake).read()
    new = after.deals.iloc[len(before.deals) :].set_index("title")
    assert len(new) == 11
    assert new.loc["Ferreira Bakery - POS bundle", "stage"] == "Negotiation"
    assert new.loc["Hart Bakery - loyalty app", "stage"] == "Nurturing"
    assert new.loc["Mori Logistics - route audit", "stage"] == "Lead acquisition"


def test_an_import_that_changes_nothing_asks_nothing(fake) -> None:
    fake.app.answers = [str(IMPORTS / "hubspot-contacts.csv")]
    fake.app.replies = ["no", "yes"]
    ribbon.import_file()
    fake.calls.clear()
    fake.app.answers = [str(IMPORTS / "hubspot-contacts.csv")]
    fake.app.replies = ["no"]
    ribbon.import_file()  # the same file again: every row is there already
    assert fake.writes() == []
    assert alerts(fake, "yes_no") == []
    mode, message = alerts(fake)[-1][1:3]
    assert mode == "info"
    assert "Of 12 row(s), 0 would be added, 12 merged" in message
    assert message.endswith("Nothing to import: the workbook is unchanged.")


@pytest.fixture(scope="module")
def chinese_demo(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("zh") / "销售.xlsx"
    result = CliRunner().invoke(main, ["new", str(path), "--lang", "zh-CN", "--demo"])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def test_the_dry_run_keeps_the_currency_note_of_a_deals_file(chinese_demo, monkeypatch) -> None:
    """A deals file in euros into a workbook that shows ¥: the plan's summary starts with the
    note that nothing is converted, before its count. The dry run shows the note and every
    other line of the summary, only the count said in its own words."""
    fake = fake_book(chinese_demo, monkeypatch)
    before = ExcelBook(fake).read()
    assert before.settings.currency == "¥"
    unmapped = ["Proposal Made", "Qualified", "Demo Scheduled", "Contact Made"]
    fake.app.answers = [str(IMPORTS / "pipedrive-deals.csv"), *[""] * len(unmapped)]
    fake.app.replies = ["no"]
    ribbon.import_file()
    assert fake.writes() == []
    (message,) = [c[2] for c in alerts(fake, "yes_no")]
    lines = message.splitlines()
    with i18n.use("zh-CN"):
        note = i18n._(
            "Note: the file's amounts are in {code}, the workbook shows {symbol}; nothing "
            "is converted."
        ).format(code="EUR", symbol="¥")
        count = i18n._(
            "Of {rows} row(s), {added} would be added, {merged} merged with what the workbook "
            "has and {skipped} skipped."
        ).format(rows=12, added=3, merged=0, skipped=9)
        lists = i18n._("Added to the {sheet} sheet's {list}: {values}.").format(
            sheet=i18n.workbook_name("Lists"),
            list=i18n._("lost reasons"),
            values="Price too high, Went with a competitor",
        )
    assert re.search("[\u4e00-\u9fff]", note)  # in the workbook's language
    assert "EUR" in note
    assert "¥" in note
    assert note in lines
    assert lines.index(count) < lines.index(note) < lines.index(lists)
    # the plan's own count ("Imported 12 row(s) of deals …", in Chinese) is the one line left out
    with i18n.use("zh-CN"):
        imported = i18n._(ribbon.COUNT_LINES["deals"]).split("{rows}")[0]
    assert imported.strip()
    assert not [line for line in lines if line.startswith(imported)]


def test_the_count_lines_the_dry_run_leaves_out_are_the_import_actions_own() -> None:
    """The ribbon knows the plan's count line by its text: each is one an import action says."""
    said = {
        node.value
        for module in (record_import, leads)
        for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert set(ribbon.COUNT_LINES) == set(record_import.KINDS)
    assert set(ribbon.COUNT_LINES.values()) <= said


def test_the_dry_run_of_activities_leaves_out_only_their_count(fake) -> None:
    """Activities on deals the demo lacks: nothing to import, so no question; the message is
    the dry run, the plan's own count ("Imported 12 row(s) of activities …") left out."""
    fake.app.answers = [str(IMPORTS / "activities.csv")]
    ribbon.import_file()
    assert fake.writes() == []
    ((_alert, mode, message, _buttons),) = alerts(fake)
    assert mode == "info"
    assert message.startswith("activities.csv: 12 row(s), read as activities.")
    assert (
        "Of 12 row(s), 0 would be added, 0 merged with what the workbook has and 12 skipped."
        in message.splitlines()
    )
    assert "Imported " not in message
    assert message.endswith("Nothing to import: the workbook is unchanged.")


def test_cancel_elsewhere_is_a_quiet_note(fake) -> None:
    """Cancelling an input box is no error: its note is an information box."""
    fake.app.answers = [""]
    ribbon.add_lead()
    assert fake.writes() == []
    mode, message = alerts(fake)[-1][1:3]
    assert (mode, message) == ("info", "cancelled: nothing was changed")


@pytest.mark.excel
def test_import_in_excel(tmp_path, monkeypatch) -> None:  # pragma: no cover - needs Excel
    """The button in real Excel, the dialogs answered by the test: the demo workbook gets the
    contacts, written by the live gateway."""
    import xlwings as xw

    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO)
    app = xw.App(visible=False)
    try:
        book = app.books.open(str(path))
        monkeypatch.setattr(ribbon, "_active_book", lambda: book)
        monkeypatch.setattr(
            ribbon, "pick_file", lambda *args: str(IMPORTS / "hubspot-contacts.csv")
        )
        monkeypatch.setattr(ribbon, "confirm", lambda *args: True)
        monkeypatch.setattr(ribbon, "tell", lambda *args, **kwargs: None)
        customers = len(ExcelBook(book).read().customers)
        ribbon.import_file()
        assert len(ExcelBook(book).read().customers) == customers + 11
    finally:
        app.quit()
