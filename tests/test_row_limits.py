"""Excel's row limit, 1,048,576 rows per sheet: a change that would write past it is refused
whole, with a message that names the sheet and table, how many rows it holds, how many the
change adds, the limit and what to do, and the workbook file stays byte for byte as it was.

The limit is lowered where the editor reads it (``salesflow_xl.workbook.editor.MAX_ROWS``)
instead of building a million-row workbook. The expected counts are the demo workbook's, read
off its table ranges by hand: every table has its header in row 1; tblOrders is A1:D1911
(1,910 orders), tblStageLog A1:G931 (930 rows), tblActivities A1:H868, tblDeals A1:Y301,
tblCustomers A1:U151, tblStages A1:E6 (5 stages).
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.cli import main
from salesflow_xl.core import limits
from salesflow_xl.workbook import build, editor, reader, schema

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
AT = ("--at", "2026-06-30 10:00")
NEXT = (
    "a new workbook for the next period (salesflow new) and keep this one for the period it holds"
)


def refused(sheet: str, table: str, held: int, adding: int, limit: int, room: int) -> str:
    """The message for a sheet that cannot take ``adding`` more rows, written out in full."""
    advice = f"Add at most {room:,} row(s) to it, or start {NEXT}" if room else f"Start {NEXT}"
    return (
        f"Error: the {sheet} sheet cannot take {adding:,} more row(s): its table {table} holds "
        f"{held:,} rows, and Excel has {limit:,} rows per sheet (the header included), "
        f"which leaves room for {room:,}. Nothing was written: the workbook is as it was. "
        f"{advice}"
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


def folder(path: Path) -> dict[str, str]:
    """Every file beside the workbook (lock files, backups, temporary files included) → the
    SHA-256 of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.iterdir())
        if p.is_file()
    }


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def orders_csv(path: Path, days: list[int]) -> Path:
    """Orders of C0001 on the given days of June 2026 (no order number: each is new)."""
    csv = path.parent / "orders.csv"
    rows = [f"C0001,2026-06-{day:02d},{10 + day}.50" for day in days]
    csv.write_text("customer_id,date,amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return csv


def refuses(book: Path, message: str, *args: object) -> None:
    """The command fails with exit code 1 and ``message`` as its only line, and leaves every
    file in the workbook's folder as it was: no backup, no lock, no temporary file."""
    before = folder(book)
    code, output = invoke(*args)
    assert code == 1, output
    assert output.strip().splitlines() == [message]
    assert folder(book) == before


def test_the_limit_is_excels() -> None:
    assert limits.MAX_ROWS == 1_048_576 == 2**20
    assert editor.MAX_ROWS == limits.MAX_ROWS  # the editor enforces the shared limit


def test_an_order_import_past_the_limit_is_refused_whole(book, monkeypatch) -> None:
    monkeypatch.setattr(editor, "MAX_ROWS", 1913)  # room for 2 orders below row 1911
    csv = orders_csv(book, [1, 2, 3])
    message = refused("Orders", "tblOrders", held=1910, adding=3, limit=1913, room=2)
    refuses(book, message, "import-orders", book, csv, *AT)


def test_the_last_row_is_written_and_the_next_one_refused(book, monkeypatch) -> None:
    monkeypatch.setattr(editor, "MAX_ROWS", 1913)
    code, output = invoke("import-orders", book, orders_csv(book, [1, 2]), *AT)
    assert code == 0, output
    assert len(reader.load(book).orders) == 1912
    assert editor.Editor(book.read_bytes()).tables["tblOrders"].ref == "A1:D1913"
    message = refused("Orders", "tblOrders", held=1912, adding=1, limit=1913, room=0)
    refuses(book, message, "order", book, "--customer", "C0001", "--amount", "12", *AT)


def test_a_lead_past_the_limit_is_refused_by_the_stage_log(book, monkeypatch) -> None:
    """A lead adds a customer, a deal and its first stage-log row; the stage log is the only
    table of the four that reaches row 931."""
    monkeypatch.setattr(editor, "MAX_ROWS", 931)
    message = refused("StageLog", "tblStageLog", held=930, adding=1, limit=931, room=0)
    lead = ("--name", "Ada Park", "--company", "Park Café", "--value", "3600")
    refuses(book, message, "add-lead", book, *lead, *AT)


def test_a_lead_import_past_the_limit_is_refused_whole(book, monkeypatch) -> None:
    monkeypatch.setattr(editor, "MAX_ROWS", 932)
    csv = book.parent / "leads.csv"
    csv.write_text(
        "Name,Company,E-mail,Deal value\n"
        "Ada Park,Park Café,ada@park.example,3600\n"
        "Bo Lind,Lind Bistro,bo@lind.example,2500\n",
        encoding="utf-8",
    )
    message = refused("StageLog", "tblStageLog", held=930, adding=2, limit=932, room=1)
    refuses(book, message, "import", book, csv, *AT)


def test_a_pipeline_longer_than_the_sheet_is_refused(book, monkeypatch) -> None:
    monkeypatch.setattr(editor, "MAX_ROWS", 6)  # the Stages table's five rows fill it
    message = (
        "Error: the Stages sheet cannot hold 6 rows in its table tblStages (it holds 5): Excel "
        "has 6 rows per sheet (the header included), so at most 5 fit. Nothing was "
        "written: the workbook is as it was; keep fewer rows"
    )
    stage = ("Proposal", "--probability", "45%", "--rotting-days", "10", "--after", "Nurturing")
    refuses(book, message, "stage", "add", book, *stage)


def test_the_editor_refuses_rows_past_the_real_limit(book) -> None:
    """With Excel's own limit: rows 1,048,576 and 1,048,577 for two orders."""
    order = {"id": "O9999999", "customer_id": "C0001", "date": date(2026, 6, 1), "amount": 10.0}
    with pytest.raises(editor.EditError) as refusal:
        editor.Editor(book.read_bytes()).append(
            schema.TABLES["orders"], [order, order], at=[1_048_576, 1_048_577]
        )
    message = refused("Orders", "tblOrders", 1910, 2, 1_048_576, 1_048_576 - 1 - 1910)
    assert f"Error: {refusal.value}" == message
