"""Row and cached-value edits of sheet XML: the in-place paths for large sheets give the same
bytes as rebuilding the sheet, and touch nothing else."""

from __future__ import annotations

import re

import pytest

from salesflow_xl.ooxml import sheetxml


def sheet(rows: int, gap: int | None = None) -> bytes:
    """A worksheet of ``rows`` rows (row ``gap`` left out): a text cell and a formula cell with
    a cached value in each."""
    body = b"".join(
        b'<row r="%d" spans="1:2"><c r="A%d" t="inlineStr"><is><t>deal %d</t></is></c>'
        b'<c r="B%d" s="3"><f>A%d*2</f><v>%d</v></c></row>' % (n, n, n, n, n, n)
        for n in range(1, rows + 1)
        if n != gap
    )
    return (
        b'<?xml version="1.0"?><worksheet><dimension ref="A1:B%d"/><sheetData>' % rows
        + body
        + b"</sheetData><tableParts/></worksheet>"
    )


def new_row(number: int, text: bytes) -> bytes:
    return b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (
        number,
        number,
        text,
    )


def rebuilt(xml: bytes, new_rows: dict[int, bytes]) -> bytes:
    """put_rows' whole-sheet path (taken for sheets under 1 MB)."""
    assert len(xml) < sheetxml.LARGE_SHEET
    return sheetxml.put_rows(xml, new_rows)


def test_in_place_row_edits_equal_rebuilding_the_sheet() -> None:
    xml = sheet(500)
    changes = {
        7: new_row(7, b"changed"),
        250: new_row(250, b"also changed"),
        501: new_row(501, b"appended"),
        502: new_row(502, b"appended too"),
    }
    assert sheetxml._put_rows_in_place(xml, changes) == rebuilt(xml, changes)


def test_inserting_between_rows_is_left_to_the_whole_sheet_path() -> None:
    xml = sheet(50, gap=20)
    assert sheetxml._put_rows_in_place(xml, {20: new_row(20, b"into the gap")}) is None
    assert sheetxml.row_spans(xml, [19, 20, 21]) is None
    done = rebuilt(xml, {20: new_row(20, b"into the gap")})
    assert done.index(b'<row r="19"') < done.index(b'<row r="20"') < done.index(b'<row r="21"')


def test_row_at_finds_rows_and_nothing_after_the_last() -> None:
    xml = sheet(30)
    assert sheetxml.row_at(xml, 12).startswith(b'<row r="12" ')
    assert sheetxml.row_at(xml, 12).endswith(b"</row>")
    assert sheetxml.row_at(xml, 31) is None
    assert sheetxml.row_at(sheet(0), 1) is None


@pytest.mark.parametrize("rows", [5, 4000])  # the whole-sheet pass, and rows patched in place
def test_cached_values_change_only_the_named_cells(rows) -> None:
    xml = sheet(rows)
    values = {"B2": 10.5, "B4": "text", f"B{rows}": None}
    out = sheetxml.set_cached_values(xml, values)
    cells = {
        ref: cell
        for number in (2, 4, rows)
        for ref, cell in sheetxml.cells(sheetxml.row_at(out, number)).items()
    }
    assert cells["B2"] == b'<c r="B2" s="3"><f>A2*2</f><v>10.5</v></c>'
    assert cells["B4"] == b'<c r="B4" s="3" t="str"><f>A4*2</f><v>text</v></c>'
    assert cells[f"B{rows}"] == b'<c r="B%d" s="3"><f>A%d*2</f></c>' % (rows, rows)
    # everything else is byte for byte as it was
    changed_rows = {b'<row r="2" ', b'<row r="4" ', b'<row r="%d" ' % rows}
    split = re.compile(rb"(?=<row )")
    before, after = split.split(xml), split.split(out)
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        if not any(new.startswith(prefix) for prefix in changed_rows):
            assert old == new


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (b'<c r="A1"><v>42</v></c>', 42),
        (b'<c r="A1" s="2"><f>B1</f><v>1.5E-3</v></c>', 0.0015),
        (b'<c r="A1" t="s"><v>1</v></c>', "second"),
        (b'<c r="A1" t="str"><f>B1</f><v>a &amp; b</v></c>', "a & b"),
        (b'<c r="A1" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>', "inline"),
        (b'<c r="A1" t="b"><v>1</v></c>', True),
        (b'<c r="A1" t="e"><v>#DIV/0!</v></c>', sheetxml.ExcelError("#DIV/0!")),
        (b'<c r="A1" s="3"/>', None),
    ],
)
def test_stored_value_reads_every_cell_type(cell, value) -> None:
    match = sheetxml.CELL.match(cell)
    got = sheetxml.stored_value(
        match.group("attrs"), match.group("body") or b"", ["first", "second"]
    )
    assert got == value
    assert type(got) is type(value)


def test_stored_value_refuses_a_missing_shared_string() -> None:
    match = sheetxml.CELL.match(b'<c r="A1" t="s"><v>7</v></c>')
    with pytest.raises(sheetxml.SheetXmlError, match="'7' is not in the workbook's string table"):
        sheetxml.stored_value(match.group("attrs"), match.group("body"), ["only"])


def test_stored_text_resolves_every_xml_entity() -> None:
    """LibreOffice writes an apostrophe in a formula's text result as ``&apos;``; every named
    entity and character reference reads back as the character (as an XML parser reads it)."""
    body = b"<v>O&apos;Brien &quot;&amp;&quot; &lt;b&gt; &#233;&#x4E2D;</v>"
    assert sheetxml.stored_value(b' t="str"', body, []) == 'O\'Brien "&" <b> é中'
    inline = b"<is><t>it&apos;s</t></is>"
    assert sheetxml.stored_value(b' t="inlineStr"', inline, []) == "it's"
    with pytest.raises(sheetxml.SheetXmlError):
        sheetxml.stored_value(b' t="str"', b"<v>&#x110000;</v>", [])
