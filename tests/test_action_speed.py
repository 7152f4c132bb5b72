"""The fast path of an action — the workbook read from its cache, only the figures whose inputs
changed computed again, changed parts recompressed chunk by chunk — never gives another answer
than reading and recomputing everything: after each of a run of actions, the cache reads as the
file does, and every formula cell and derived value holds the core's figure computed afresh
from an independent reading of the file."""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import derived_mismatches
from python_calamine import CalamineWorkbook

from salesflow_xl import gateway
from salesflow_xl.actions import deals
from salesflow_xl.cli import main
from salesflow_xl.core.dataset import RECORD_TYPES
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.ooxml import package
from salesflow_xl.ooxml.package import CHUNK, Package
from salesflow_xl.workbook import build, cache, cached, computed, dependencies, reader, schema
from salesflow_xl.workbook.editor import Editor

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
AT = ["--at", "2026-06-30 10:00"]
FAIR = ["--start", "2026-07-01", "--end", "2026-07-20"]


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "Sales.xlsx"
    shutil.copy(DEMO, path)
    return path


def open_deals(path: Path, stage: str | None = None) -> list[str]:
    data = reader.load(path)
    chosen = data.deals["status"] == "open"
    if stage is not None:
        chosen &= data.deals["stage"] == stage
    return [str(d) for d in data.deals.loc[chosen, "id"]]


def assert_as_recomputed(path: Path) -> None:
    """The workbook's cache is valid and reads as the file does; every figure the file and the
    cache hold is the core's, computed afresh from an independent reading of the file."""
    content = path.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None  # every part's CRC
    fresh = reader.read_snapshot(content, path.name)
    assert fresh.problems == []
    found = cache.load(path, content)
    assert found is not None, "no valid cache after the action"
    kept = found.snapshot
    assert kept.data.settings == fresh.data.settings
    assert kept.data.pipeline == fresh.data.pipeline
    assert kept.data.lists == fresh.data.lists
    assert dict(kept.rows) == dict(fresh.rows)
    assert dict(kept.setting_rows) == dict(fresh.setting_rows)
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(kept.data.table(key), fresh.data.table(key))
    # every formula cell of the file holds the core's figure for the data read afresh
    layouts = Editor(content).tables
    columns = {
        spec.sheet: {h: layouts[spec.name].letter(h) for h in layouts[spec.name].headers}
        for spec in schema.all_tables()
    }
    stored = CalamineWorkbook.from_filelike(io.BytesIO(content))
    expected = cached.core_values(fresh.data, fresh.rows, columns=columns)
    for sheet, cells in expected.items():
        values = stored.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        assert cached.changed_cells(cells, values) == {}, sheet
    assert derived_mismatches(fresh) == {}
    # and the figures the cache keeps for the next action are those figures too
    for spec in schema.all_tables():
        frames = [computed.computed_columns(fresh.data, spec)]
        if spec.derived:
            frames.append(computed.derived_columns(fresh.data, spec))
        for frame in frames:
            for header in frame.columns:
                kept_column = found.figures[spec.key][header]
                new = cached.figure_column(frame[header])
                assert cached.differing(new, kept_column) == [], (spec.key, header)
                assert len(cached.as_canonical(kept_column)) == len(frame), (spec.key, header)


def actions(path: Path, tmp_path: Path) -> list[tuple[object, ...]]:
    """A working session: every kind of action the file gateway runs."""
    negotiation = open_deals(path, "Negotiation")
    nurturing = open_deals(path, "Nurturing")
    leads = open_deals(path, "Lead acquisition")
    data = reader.load(path)
    customer = str(data.customers["id"].iloc[3])
    campaign = str(data.campaigns["name"].iloc[0])
    segment = str(data.customers["segment"].dropna().iloc[0])
    email = str(data.customers["email"].iloc[5])
    leads_csv = tmp_path / "leads.csv"
    leads_csv.write_text(
        "Name,Company,E-mail,Segment,Deal value\n"
        "Ada Park,Park Café,ada@park.example,Cafés,3600\n"
        f"Someone,,{email},,\n",
        encoding="utf-8",
    )
    orders_csv = tmp_path / "orders.csv"
    orders_csv.write_text(
        f"customer_id,date,amount\n{customer},2026-06-20,120.50\n{customer},2026-06-25,80\n",
        encoding="utf-8",
    )
    return [
        ("advance", path, nurturing[0], *AT),
        ("advance", path, nurturing[1], *AT),
        ("won", path, negotiation[0], *AT),
        ("lost", path, leads[0], "--reason", "Price", *AT),
        ("log", path, negotiation[1], "--type", "Call", "--note", "asked for a quote", *AT),
        ("add-lead", path, "--name", "Bo Lind", "--email", "bo@lind.example", "--value", 2500, *AT),
        ("import", path, leads_csv, *AT),
        ("order", path, "--customer", customer, "--amount", 300, "--date", "2026-06-29"),
        ("import-orders", path, orders_csv),
        ("move", path, negotiation[1], "--to", "Nurturing", *AT),
        ("reopen", path, negotiation[0], *AT),
        ("deal", "edit", path, nurturing[2], "--value", 4800, "--probability", "70%"),
        ("customer", "edit", path, customer, "--company", "Renamed Ltd"),
        ("refresh", path, "--as-of", "2026-07-15"),
        ("campaign", "add", path, "Autumn fair", "--channel", "Events", "--spend", 900, *FAIR),
        ("stage", "add", path, "Proposal", "--probability", "45%", "--after", "Nurturing"),
        ("advance", path, nurturing[3], *AT),
        ("stage", "set", path, "Proposal", "--probability", "50%", "--rotting-days", "9"),
        ("stage", "move", path, "Proposal", "--after", "Negotiation"),
        ("stage", "rename", path, "Negotiation", "Final offer"),
        ("campaign", "edit", path, campaign, "--name", "Renamed campaign", "--spend", 777),
        ("list", "add", path, "segment", "Bakeries"),
        ("list", "rename", path, "segment", segment, "Renamed segment"),
        ("refresh", path, "--as-of", "2026-07-31"),
    ]


@pytest.mark.parametrize("chunk", [None, 16 * 1024], ids=["demo", "small chunks"])
def test_every_action_on_the_fast_path_gives_the_full_answer(
    book, tmp_path, monkeypatch, chunk
) -> None:
    """A session of actions, each after the first reading the workbook from its cache (reading
    the sheets is made to fail, so none can fall back to it unnoticed), each leaving the file
    and the cache as a full recomputation from a fresh reading has them. With small chunks,
    the demo's sheets are written and read chunk by chunk, as a large workbook's are."""
    if chunk is not None:
        monkeypatch.setattr(package, "CHUNKED_FROM", 4 * chunk)
        monkeypatch.setattr(package, "CHUNK", chunk)
    session = actions(book, tmp_path)
    run(*session[0])  # the first reads the file: it has no cache yet
    assert_as_recomputed(book)

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("an action read the sheets although the cache was valid")

    for args in session[1:]:
        with monkeypatch.context() as patch:
            patch.setattr(reader, "read_snapshot", unread)
            run(*args)
        assert_as_recomputed(book)
    if chunk is not None:  # the parts the session changed are in chunks, and the cache knows
        found = cache.load(book, book.read_bytes())
        assert found is not None
        assert Package.from_bytes(DEMO.read_bytes()).sheet_parts()["Deals"] in found.chunks


def test_a_workbook_changed_elsewhere_is_read_from_its_sheets(book) -> None:
    """Edited outside SalesFlow (a stage log row appended, a furthest step typed over), the
    workbook no longer matches its cache: the next action reads and recomputes everything,
    and puts the stale figures right."""
    first, second = open_deals(book, "Nurturing")[:2]
    run("advance", book, first, *AT)
    assert cache.load(book, book.read_bytes()) is not None
    editor = Editor(book.read_bytes())
    editor.append(
        schema.STAGE_LOG,
        [{"timestamp": pd.Timestamp(2026, 6, 29, 9), "deal_id": second, "to_stage": "Nurturing"}],
    )
    editor.write_values(schema.DEALS, {2: {"Furthest step": 9}})
    book.write_bytes(editor.to_bytes())
    assert cache.load(book, book.read_bytes()) is None
    assert derived_mismatches(reader.read_snapshot(book.read_bytes())) != {}
    run("advance", book, second, *AT)
    assert_as_recomputed(book)


def test_a_cache_is_used_only_for_its_own_workbook_and_code(book, monkeypatch) -> None:
    run("advance", book, open_deals(book, "Nurturing")[0], *AT)
    content = book.read_bytes()
    target = cache.path_for(book)
    good = target.read_bytes()
    assert cache.load(book, content) is not None
    assert cache.load(book, content + b"x") is None  # another version of the workbook
    for damaged in (good[:-10], good[:100] + bytes([good[100] ^ 1]) + good[101:], b"junk"):
        target.write_bytes(damaged)
        assert cache.load(book, content) is None
    target.write_bytes(good)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "other code")
    assert cache.load(book, content) is None


def test_a_workbook_that_follows_the_calendar_is_read_as_of_today(book, monkeypatch) -> None:
    """The as-of date blank, the figures follow today: a day later the cache gives today's
    date, and the next action recomputes every figure that reads it."""
    run("refresh", book, "--unpin")
    monkeypatch.setattr(reader, "today", lambda: date(2026, 7, 1))
    run("advance", book, open_deals(book, "Nurturing")[0], *AT)
    assert_as_recomputed(book)
    monkeypatch.setattr(reader, "today", lambda: date(2026, 7, 9))
    found = cache.load(book, book.read_bytes())
    assert found is not None
    assert found.snapshot.data.settings.as_of == date(2026, 7, 9)
    assert found.figures_as_of == date(2026, 7, 1)
    run("log", book, open_deals(book, "Negotiation")[0], "--type", "Call", *AT)
    assert_as_recomputed(book)


def test_a_refused_action_leaves_the_workbook_and_its_cache_alone(book) -> None:
    run("advance", book, open_deals(book, "Nurturing")[0], *AT)
    before = {p.name: p.read_bytes() for p in book.parent.iterdir()}
    result = CliRunner().invoke(main, ["advance", str(book), "D99999", *AT])
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in book.parent.iterdir()} == before


def test_the_cache_keeps_no_personal_data_the_workbook_lost(book) -> None:
    """A customer's name changed by an action is gone from the cache too: the cache is
    rewritten from what the action wrote."""
    data = reader.load(book)
    customer, name = str(data.customers["id"].iloc[0]), str(data.customers["name"].iloc[0])
    run("advance", book, open_deals(book, "Nurturing")[0], *AT)
    assert name.encode() in cache.path_for(book).read_bytes()
    run("customer", "edit", book, customer, "--name", "Erased Person")
    assert name not in set(reader.load(book).customers["name"])
    assert name.encode() not in cache.path_for(book).read_bytes()


def test_the_report_reads_a_valid_cache(book, monkeypatch) -> None:
    run("advance", book, open_deals(book, "Nurturing")[0], *AT)
    expected = reader.load(book)
    monkeypatch.setattr(reader, "read_bytes", lambda *a, **k: pytest.fail("sheets were read"))
    data = WorkbookFile(book).read()
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(data.table(key), expected.table(key))


def test_the_gateway_result_is_what_the_cache_holds(book) -> None:
    """What run() validated is exactly what the next action starts from."""

    class Recording(WorkbookFile):
        def write(self, snapshot, changes, after) -> None:
            self.after = after
            super().write(snapshot, changes, after)

    file = Recording(book)
    deal = open_deals(book, "Nurturing")[0]
    gateway.run(file, lambda d: deals.advance(d, [deal], pd.Timestamp(2026, 6, 30), None))
    found = cache.load(book, book.read_bytes())
    assert found is not None
    for key in RECORD_TYPES:
        pd.testing.assert_frame_equal(found.snapshot.data.table(key), file.after.data.table(key))


# -- what a formula reads ---------------------------------------------------------------------


def test_references_are_read_from_the_formulas() -> None:
    reads = dependencies.references
    deals_value = ("row", "deals", "Value")
    assert reads("=tblDeals[[#This Row],[Value]]*2") == {deals_value}
    assert reads("=SUM(tblDeals[Value])") == {("column", "deals", "Value")}
    assert reads('=IF(AsOf>TODAY(),"a",GrossMargin)') == {
        ("setting", "as_of"),
        ("setting", "gross_margin"),
    }
    assert reads("=MonthlyDiscountRate") == {("setting", "annual_discount_rate")}
    assert reads('="tblOrders[Amount] AsOf"') == frozenset()  # text, not references
    for unknown in ("=tblNope[Value]", "=tblDeals[Nope]", "=SomeName", "=OFFSET(A1,1,1)", "=B2"):
        assert reads(unknown) == {dependencies.EVERYTHING}, unknown
    assert reads("=Dashboard!D5+B2", internal=True) == frozenset()
    assert reads("=Deals!A2", internal=True) == {dependencies.EVERYTHING}
    whole = reads("=ROWS(tblOrders[#All])")
    assert ("column", "orders", "Amount") in whole
    assert ("rows", "orders") in whole


def test_each_table_reads_what_its_formulas_name() -> None:
    found = dependencies.table_references()
    assert ("column", "customers", "Won deals") in found["campaigns"]  # a derived column
    assert ("column", "deals", "Status") in found["campaigns"]
    assert ("column", "customers", "Company") in found["deals"]
    assert ("setting", "as_of") in found["deals"]
    assert ("setting", "as_of") not in found["stage_log"]
    assert dependencies.EVERYTHING in found["campaigns"]  # reads a derived column
    assert dependencies.EVERYTHING not in found["deals"] | found["stage_log"]
    every_computed = {spec.key for spec in schema.all_tables() if spec.computed}
    assert set(found) == every_computed


# -- parts recompressed chunk by chunk ---------------------------------------------------------


def _chunks(package: Package, written: bytes, name: str) -> list[bytes]:
    """The compressed chunks of part ``name`` of ``written`` (the package gave it)."""
    raw = Package.from_bytes(written)._raw(Package.from_bytes(written)._info(name))
    found, start = [], 0
    for _, size in package.chunk_index()[name]:
        found.append(raw[start : start + size])
        start += size
    return found


def test_a_part_edited_again_reuses_its_unchanged_chunks() -> None:
    """Random edits of a large part, each written and read back with its chunk index: the
    content is always exact, the zip valid, and the chunks an edit did not touch are copied
    as they were compressed."""
    package = Package.from_bytes(DEMO.read_bytes())
    name = package.sheet_parts()["Deals"]
    text = package.read(name)
    while len(text) < 12 * CHUNK:
        text += text
    package.replace(name, text)
    written = package.to_bytes()
    randomly = random.Random(7)
    for _ in range(8):
        assert zipfile.ZipFile(io.BytesIO(written)).read(name) == text
        before = _chunks(package, written, name)
        index = package.chunk_index()
        package = Package.from_bytes(written)
        package.chunks = index
        assert package.read(name) == text
        assert name in package.chunks  # read chunk by chunk, each checked
        at = randomly.randrange(len(text))
        text = text[:at] + b"<!-- edit -->" * randomly.randrange(3) + text[at + 5 :]
        if randomly.random() < 0.5:
            text += b"<!-- appended -->"
        package.replace(name, text)
        written = package.to_bytes()
        after = _chunks(package, written, name)
        assert len(set(before) & set(after)) >= len(before) - 3


def test_a_wrong_chunk_index_is_found_and_not_used() -> None:
    package = Package.from_bytes(DEMO.read_bytes())
    name = package.sheet_parts()["Deals"]
    text = package.read(name) * 3
    package.replace(name, text)
    written = package.to_bytes()
    index = package.chunk_index()
    sizes = np.array(index[name])
    for wrong in ([(sizes[0][0] + 1, sizes[0][1] - 1), *index[name][1:]], index[name][::-1]):
        again = Package.from_bytes(written)
        again.chunks = {name: [tuple(map(int, chunk)) for chunk in wrong]}
        assert again.read(name) == text
        assert name not in again.chunks
