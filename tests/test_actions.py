"""Every action through its CLI twin on a copy of the demo workbook (the file gateway), and the
promise that a failed action leaves the workbook byte for byte as it was."""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import derived_mismatches
from python_calamine import CalamineWorkbook

from salesflow_xl import gateway
from salesflow_xl.actions import activities, deals, leads
from salesflow_xl.cli import main
from salesflow_xl.core.dataset import RECORD_TYPES
from salesflow_xl.core.metrics import followups_due, rotting_deals
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import build, cached, reader, schema
from salesflow_xl.workbook.editor import Editor

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
AT = ["--at", "2026-06-30 10:00"]


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


@pytest.fixture(scope="module")
def before():
    data, problems = reader.read(DEMO)
    assert problems == []
    return data


def run(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_deal(data, stage: str) -> str:
    deals = data.deals
    return str(deals.loc[(deals["status"] == "open") & (deals["stage"] == stage), "id"].iloc[0])


def closed_deal(data, status: str) -> str:
    return str(data.deals.loc[data.deals["status"] == status, "id"].iloc[0])


def assert_only(after, before, changed: set[str]) -> None:
    for key in RECORD_TYPES:
        if key not in changed:
            pd.testing.assert_frame_equal(after.table(key), before.table(key))


def test_advance_changes_the_stage_adds_one_log_row_and_nothing_else(book, before) -> None:
    deal_id = open_deal(before, "Nurturing")
    parts_before = Package.from_bytes(book.read_bytes()).parts
    out = run("advance", book, deal_id, *AT)
    assert f"{deal_id} " in out
    assert "Nurturing → Negotiation" in out
    after = reader.load(book)
    position = int(before.deals.index[before.deals["id"] == deal_id][0])
    expected = before.deals.copy()
    # entering Negotiation (follow up after 3 days) sets the next follow-up 3 days on
    expected.loc[position, ["stage", "stage_entered", "next_follow_up"]] = [
        "Negotiation",
        pd.Timestamp(2026, 6, 30),
        pd.Timestamp(2026, 7, 3),
    ]
    pd.testing.assert_frame_equal(after.deals, expected)
    assert len(after.stage_log) == len(before.stage_log) + 1
    pd.testing.assert_frame_equal(after.stage_log.iloc[:-1], before.stage_log)
    last = after.stage_log.iloc[-1]
    assert (last["deal_id"], last["from_stage"], last["to_stage"]) == (
        deal_id,
        "Nurturing",
        "Negotiation",
    )
    assert_only(after, before, {"deals", "stage_log"})
    parts_after = Package.from_bytes(book.read_bytes()).parts
    changed = {n for n in parts_before if parts_before[n] != parts_after[n]}
    assert "xl/charts/chart1.xml" not in changed
    assert all(n.startswith(("xl/worksheets/", "xl/tables/")) for n in changed)
    assert book.with_name("Sales.backup.xlsx").read_bytes() == DEMO.read_bytes()


def test_move_won_lost_reopen(book, before) -> None:
    deal_id = open_deal(before, "Negotiation")
    run("move", book, deal_id, "--to", "nurturing", "--note", "New offer", *AT)
    run("won", book, deal_id, *AT)
    data = reader.load(book)
    deal = data.deals.set_index("id").loc[deal_id]
    assert (deal["stage"], deal["status"], deal["closed"]) == (
        "Closed won",
        "won",
        pd.Timestamp(2026, 6, 30),
    )
    run("reopen", book, deal_id, *AT)
    run("lost", book, deal_id, "--reason", "no BUDGET", *AT)
    deal = reader.load(book).deals.set_index("id").loc[deal_id]
    assert (deal["status"], deal["lost_reason"]) == ("lost", "No budget")
    run("reopen", book, deal_id, *AT)
    data = reader.load(book)
    # reopened into the stage it was closed from, and the whole history is in the log
    assert data.deals.set_index("id").loc[deal_id, "stage"] == "Nurturing"
    moves = data.stage_log[data.stage_log["deal_id"] == deal_id].iloc[-5:]
    assert moves["to_stage"].tolist() == [
        "Nurturing",
        "Closed won",
        "Nurturing",
        "Closed lost",
        "Nurturing",
    ]


def test_log_resets_rotting_and_sets_the_follow_up(book, before) -> None:
    rotting = rotting_deals(before.deals, before.pipeline, before.settings.as_of)
    deal_id = str(rotting["id"].iloc[0])
    out = run(
        "log", book, deal_id, "--type", "meeting", "--note", "Tasting", "--next", "2026-07-03", *AT
    )
    assert "Logged Meeting" in out
    data = reader.load(book)
    deal = data.deals.set_index("id").loc[deal_id]
    assert deal["last_activity"] == pd.Timestamp(2026, 6, 30)
    assert deal["next_follow_up"] == pd.Timestamp(2026, 7, 3)
    activity = data.activities.iloc[-1]
    assert (activity["deal_id"], activity["type"], activity["note"]) == (
        deal_id,
        "Meeting",
        "Tasting",
    )
    assert deal_id not in set(rotting_deals(data.deals, data.pipeline, data.settings.as_of)["id"])


def test_add_lead_and_merge(book, before) -> None:
    out = run(
        "add-lead",
        book,
        "--name",
        "Ada Park",
        "--company",
        "Park Café",
        "--email",
        "ada@park.example",
        "--segment",
        "cafés",
        "--value",
        "3600",
        *AT,
    )
    assert out.startswith("Added C0151 Ada Park with deal D00301")
    out = run(
        "add-lead",
        book,
        "--name",
        "A. Park",
        "--email",
        " ADA@park.example ",
        "--phone",
        "+49 30 555 0101",
        *AT,
    )
    assert "Merged: matches C0151 Ada Park (filled phone)" in out
    data = reader.load(book)
    assert len(data.customers) == len(before.customers) + 1
    customer = data.customers.iloc[-1]
    assert (customer["segment"], customer["phone"]) == ("Cafés", "+49 30 555 0101")
    deal = data.deals.iloc[-1]
    assert (deal["customer_id"], deal["stage"], deal["value"]) == (
        "C0151",
        "Lead acquisition",
        3600.0,
    )
    assert data.stage_log.iloc[-1]["to_stage"] == "Lead acquisition"


def test_import_adds_merges_and_skips(book, before, tmp_path) -> None:
    existing = before.customers.iloc[0]
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(
        "Contact;E-mail;Company;Phone;Deal value\n"
        "Ada Park;ada@park.example;Park Café;+49 30 555 0101;3.600\n"
        f"Someone;{existing['email'].upper()};;;\n"  # an existing customer, by e-mail
        "Ada Again;;;0049 30 5550101;\n"  # the first row again, by phone
        ";;;;\n"
        "Nameless;not-an-address;;;\n",
        encoding="utf-8-sig",
    )
    out = run("import", book, csv_file, *AT)
    assert "Imported 4 row(s): 1 added, 2 merged, 1 skipped." in out
    assert f"Merged: line 3: matches {existing['id']}" in out
    assert "Merged: line 4: matches C0151 Ada Park" in out
    assert "Skipped: line 6: email must be an e-mail address" in out
    data = reader.load(book)
    assert len(data.customers) == len(before.customers) + 1
    assert data.deals.iloc[-1]["value"] == 3.6  # "3.600" read as a decimal, not thousands


def test_import_needs_a_name_or_email_column(book, tmp_path) -> None:
    csv_file = tmp_path / "odd.csv"
    csv_file.write_text("Who,Where\nAda,Berlin\n")
    before_digest = digest(book)
    out = fails("import", book, csv_file)
    assert "no name or e-mail column" in out
    out = run("import", book, csv_file, "--map", "name=Who", *AT)
    assert "1 added" in out
    assert digest(book) != before_digest


def test_followups_lists_what_the_core_finds(book, before) -> None:
    out = run("followups", book)
    due = followups_due(before.activities, before.deals, before.settings.as_of)
    assert len(out.strip().splitlines()) == len(due)
    assert out.splitlines()[0].startswith(f"{due['due'].iloc[0]:%Y-%m-%d}")


def test_refresh_moves_the_as_of_date_and_the_figures(book) -> None:
    from openpyxl import load_workbook

    run("refresh", book, "--as-of", "2026-07-15")
    data = reader.load(book)
    assert data.settings.as_of == date(2026, 7, 15)
    values = load_workbook(book, data_only=True)
    assert values["Dashboard"]["B2"].value.date() == date(2026, 7, 15)
    first_open = data.deals.index[data.deals["status"] == "open"][0]
    entered = data.deals.loc[first_open, "stage_entered"]
    days = values["Deals"][f"U{first_open + 2}"].value
    assert days == (pd.Timestamp(2026, 7, 15) - entered).days


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["advance", "{book}", "D99999"], "no deal D99999 on the Deals sheet"),
        (["advance", "{book}", "{open}", "{won}"], "is won; reopen it before moving it"),
        (["lost", "{book}", "{open}", "--reason", "Too expensive"], "reason must be one of"),
        (["move", "{book}", "{open}", "--to", "Proposal"], "stage must be one of"),
        (["move", "{book}", "{open}", "--to", "Closed lost"], "use lost --reason"),
        (["reopen", "{book}", "{open}"], "only a won or lost deal can be reopened"),
        (["log", "{book}", "{open}", "--type", "Fax"], "type must be one of"),
        (["add-lead", "{book}", "--company", "Nobody Ltd"], "a name or an e-mail address"),
        (["add-lead", "{book}", "--name", "X", "--segment", "Bakeries"], "segment must be one"),
        (["advance", "{book}", "{open}", "{open}"], "each deal once"),
    ],
)
def test_a_failed_action_leaves_the_file_byte_for_byte(book, before, args, message) -> None:
    names = {
        "book": str(book),
        "open": open_deal(before, "Nurturing"),
        "won": closed_deal(before, "won"),
    }
    original = digest(book)
    out = fails(*[a.format(**names) for a in args], *AT)
    assert message in out
    assert digest(book) == original
    assert not book.with_name("Sales.backup.xlsx").exists()


def test_actions_refuse_a_workbook_with_problems(book) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(book)
    workbook["Deals"]["E3"] = "lots"
    workbook.save(book)
    original = digest(book)
    out = fails("advance", book, "D00001", *AT)
    assert "Deals row 3, column 'Value': expected a number, found 'lots'" in out
    assert digest(book) == original


# -- what an action writes reads back as the gateway computed it -------------------------------

PLANS = {
    "advance": lambda d: deals.advance(d, [open_deal(d, "Nurturing")], NOW, "call went well"),
    "won": lambda d: deals.won(d, [open_deal(d, "Negotiation")], NOW),
    "lost": lambda d: deals.lost(d, [open_deal(d, "Lead acquisition")], "Price", NOW, "too dear"),
    "reopen": lambda d: deals.reopen(d, [closed_deal(d, "lost")], NOW),
    "log": lambda d: activities.log_activity(
        d, open_deal(d, "Negotiation"), "Call", NOW, "follow-up", date(2026, 7, 8)
    ),
    "import": lambda d: leads.import_leads(
        d,
        leads.parse_csv(
            "Name,Company,E-mail,Segment,Deal value\n"
            " Ada Park ,Park Café,ada@park.example,cafés,3600\n"
            f"Someone,,{d.customers['email'].iloc[3]},,\n"
        ),
        NOW,
    )[0],
    "refresh": lambda d: activities.refresh(d, date(2026, 7, 31)),
}
NOW = datetime(2026, 6, 30, 14, 37)


class RecordingFile(WorkbookFile):
    """The file gateway, keeping the validated result it was given to write."""

    def write(self, snapshot, changes, after) -> None:
        self.after = after
        super().write(snapshot, changes, after)


@pytest.mark.parametrize("action", list(PLANS))
def test_the_gateway_knows_what_the_file_will_read_back(action, tmp_path) -> None:
    """The result run() validates (the data, rows and cached values computed without reading
    the file again) against an independent reading of the file it wrote."""
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO.read_bytes())
    file = RecordingFile(path)
    gateway.run(file, PLANS[action])
    written = path.read_bytes()
    back = reader.read_snapshot(written)
    assert back.problems == []
    expected = file.after
    assert expected.problems == []
    assert expected.data.settings == back.data.settings
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(expected.data.table(key), back.data.table(key))
        assert expected.rows[key] == back.rows[key]
    # every formula cell of the written file holds the core's figure, though only the cells
    # that changed were rewritten
    layouts = Editor(written).tables
    columns = {
        spec.sheet: {h: layouts[spec.name].letter(h) for h in layouts[spec.name].headers}
        for spec in schema.all_tables()
    }
    book = CalamineWorkbook.from_filelike(io.BytesIO(written))
    for sheet, cells in cached.core_values(back.data, back.rows, columns=columns).items():
        stored = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        assert cached.changed_cells(cells, stored) == {}, sheet
    assert derived_mismatches(back) == {}  # and every deal's furthest step is the core's


def test_furthest_step_follows_a_stage_log_edited_by_hand(book, before) -> None:
    """The stage log edited by hand (in Excel, say) leaves "Furthest step" stale — it is a
    value, not a formula — and neither the reader nor check minds; the next write puts it
    right (here refresh, the ribbon's Refresh dashboard), as it does a value typed there."""
    deal_id = open_deal(before, "Nurturing")
    editor = Editor(book.read_bytes())
    event = {
        "timestamp": datetime(2026, 6, 29, 9),
        "deal_id": deal_id,
        "from_stage": "Nurturing",
        "to_stage": "Negotiation",
    }
    editor.append(schema.STAGE_LOG, [event])
    row = int(before.deals.index[before.deals["id"] == deal_id][0]) + 2
    other = row + 1
    editor.write_values(schema.DEALS, {other: {"Furthest step": 7}})  # typed by hand
    book.write_bytes(editor.to_bytes())
    stale = reader.read_snapshot(book.read_bytes())
    assert stale.problems == []
    assert run("check", book).startswith("Sales.xlsx: OK")
    letter = schema.DEALS.letter("Furthest step")
    assert set(derived_mismatches(stale)) == {f"Deals!{letter}{row}", f"Deals!{letter}{other}"}
    assert derived_mismatches(stale)[f"Deals!{letter}{row}"] == (3, 2)
    run("refresh", book)
    assert derived_mismatches(reader.read_snapshot(book.read_bytes())) == {}


def test_blank_rows_inside_tables_keep_every_row_in_place(tmp_path) -> None:
    """A blank row inside the Stages table and a trailing blank row inside the Activities
    table: figures are written to the stages' own rows, a new record fills the first row after
    the last record, and the workbook reads back exactly as validated."""
    from openpyxl import load_workbook

    workbook = load_workbook(DEMO)
    stages = workbook["Stages"]
    stages.insert_rows(4)  # a blank row between the second and third stage
    table = stages.tables["tblStages"]
    table.ref = table.ref[:-1] + str(int(table.ref[-1]) + 1)
    log_table = workbook["Activities"].tables["tblActivities"]
    last = int(log_table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    log_table.ref = log_table.ref.replace(str(last), str(last + 1))  # one blank row inside
    path = tmp_path / "Sales.xlsx"
    workbook.save(path)

    file = RecordingFile(path)
    data = reader.read_snapshot(path.read_bytes()).data
    deal = open_deal(data, "Negotiation")
    gateway.run(file, lambda d: activities.log_activity(d, deal, "Call", NOW, "blank rows"))
    back = reader.read_snapshot(path.read_bytes())
    assert back.problems == []
    assert back.rows["stages"] == (2, 3, 5, 6, 7)
    assert back.rows["activities"][-1] == last + 1  # the blank row, not the row after it
    assert back.rows == file.after.rows
    stored = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    expected = cached.core_values(back.data, back.rows)
    for sheet in ("Stages", "Activities", "Deals"):
        cells = stored.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        assert cached.changed_cells(expected[sheet], cells) == {}, sheet


def test_two_people_of_one_name_with_their_own_e_mail_are_not_merged() -> None:
    """Li Na and Li Na, no company, each with her own address: two customers; the same name
    without an address, or with the first one's, is the first one."""
    from salesflow_xl.actions.customer_match import Directory
    from salesflow_xl.core.model import Customer

    directory = Directory([Customer("C1", "Li Na", email="lina@a.example")])
    assert directory.match(Customer("", "Li Na", email="lina@b.example")) is None
    assert directory.match(Customer("", "li  na")) == "C1"
    assert directory.match(Customer("", "Someone", email="LINA@a.example ")) == "C1"
    phone = Directory([Customer("C2", "Bo", phone="+49 30 1234567", email="bo@x.example")])
    assert phone.match(Customer("", "Bo", phone="030 1234567", email="other@x.example")) is None
    assert phone.match(Customer("", "Bo", phone="030 1234567")) == "C2"
