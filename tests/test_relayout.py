"""Lists that grow: after a new stage, campaign, channel and segment, a re-layout gives the
Dashboard and Analytics a row and chart series for each, built by the template's own builders,
and leaves every other part of the workbook byte for byte."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

import pytest
from click.testing import CliRunner
from conftest import cell_mismatches, same_cell_value
from defusedxml import ElementTree
from fake_excel import FakeBook
from openpyxl import load_workbook

from salesflow_xl.actions.changes import Changes, StageRow
from salesflow_xl.cli import main
from salesflow_xl.core.model import Campaign, Stage
from salesflow_xl.excel import ribbon
from salesflow_xl.gateway import file as file_gateway
from salesflow_xl.gateway import run
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.styles import import_formats, resolved_format
from salesflow_xl.ooxml.transplant import CONTENT_TYPES, rels_name
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import build, cached, dashboard, reader, schema, template
from salesflow_xl.workbook.editor import Editor
from salesflow_xl.workbook.relayout import SHEETS, relayout
from salesflow_xl.workbook.schema_spec import exactly

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME
NEW_STAGE = Stage("Proposal", 0.6, 10, "open")
NEW_CHANNEL, NEW_SEGMENT = "Podcasts", "Schools"
NEW_CAMPAIGN = Campaign("Podcast spring", NEW_CHANNEL, date(2026, 3, 1), date(2026, 5, 31), 2500.0)
DASHBOARD, ANALYTICS = schema.DASHBOARD_SHEET, schema.ANALYTICS_SHEET
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING_ML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def grow(data: Any) -> Changes:
    """A channel and a segment added to the Lists, a stage before the won stage and a campaign
    in the new channel — with no new layout, as edits by hand leave a workbook."""
    changes = Changes()
    changes.lists["channels"] = (*data.lists.channels, NEW_CHANNEL)
    changes.lists["segments"] = (*data.lists.segments, NEW_SEGMENT)
    rows = [StageRow(stage, i) for i, stage in enumerate(data.pipeline.stages)]
    rows.insert(len(data.pipeline.open_stages), StageRow(NEW_STAGE))
    changes.stages = tuple(rows)
    changes.append(NEW_CAMPAIGN)
    return changes


def relayout_only(data: Any) -> Changes:
    return Changes(relayout=True)


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """(the demo grown by :func:`grow`, the same re-laid out by a run of its own)."""
    path = tmp_path_factory.mktemp("relayout") / "Sales.xlsx"
    path.write_bytes(DEMO.read_bytes())
    with pytest.MonkeyPatch.context() as patch:  # as edits by hand in Excel leave a workbook
        patch.setattr(file_gateway, "laid_out_for", lambda editor, data: True)
        run(WorkbookFile(path), grow)
    stale = path.read_bytes()
    run(WorkbookFile(path), relayout_only)
    return stale, path.read_bytes()


@pytest.fixture(scope="module")
def data(grown: tuple[bytes, bytes]) -> Any:
    back, problems = reader.read_bytes(grown[1])
    assert problems == []
    return back


def owned_parts(package: Package) -> set[str]:
    """The Dashboard's and Analytics' sheet parts, the parts they reach, and their rels."""
    sheets = package.sheet_parts()
    parts, queue = set(), [sheets[s] for s in SHEETS]
    while queue:
        part = queue.pop()
        parts |= {part, rels_name(part)}
        queue += [p for p in package.relationships(part).values() if p not in parts]
    return parts


def formulas(xml: bytes) -> dict[str, str]:
    """Cell → formula text (without "=") of a sheet's formula cells."""
    found = {}
    for ref, cell in _cells(xml):
        match = re.search(rb"<f\b[^>]*>(.*?)</f>", cell, re.S)
        if match:
            found[ref] = unescape(match.group(1).decode())
    return found


def _cells(xml: bytes) -> list[tuple[str, bytes]]:
    return [
        (ref, cell)
        for row in sheetxml.rows(xml).values()
        for ref, cell in sheetxml.cells(row).items()
    ]


def chart_series(package: Package) -> dict[str, list[tuple[str | None, str]]]:
    """Chart title → (categories, values) reference of each series, for the Dashboard's charts."""
    drawing = next(iter(package.relationships(package.sheet_parts()[DASHBOARD]).values()))
    charts = {}
    for part in package.relationships(drawing).values():
        root = ElementTree.fromstring(package.read(part))
        heading = root.find(f"{CHART}chart/{CHART}title")
        texts = [] if heading is None else heading.iter(f"{DRAWING_ML}t")
        title = "".join(t.text or "" for t in texts)
        series = []
        for ser in root.iter(f"{CHART}ser"):
            cat = ser.find(f"{CHART}cat/{CHART}numRef/{CHART}f")
            val = ser.find(f"{CHART}val/{CHART}numRef/{CHART}f")
            series.append((None if cat is None else cat.text, val.text))
        charts[title] = series
    return charts


def cell_format(package: Package, sheet: str, ref: str) -> dict[str, object]:
    number = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    row = sheetxml.row_at(package.read(package.sheet_parts()[sheet]), number)
    style = sheetxml.STYLE.search(sheetxml.cells(row or b"").get(ref, b""))
    return resolved_format(package.read("xl/styles.xml"), int(style.group(1)) if style else 0)


# -- the file -------------------------------------------------------------------------------


def test_only_the_dashboard_analytics_and_their_charts_change(grown) -> None:
    stale, relaid = (Package.from_bytes(content) for content in grown)
    assert relaid.names == stale.names  # three charts before and after: no part comes or goes
    owned = owned_parts(stale)
    changed = {name for name in stale.names if stale.read(name) != relaid.read(name)}
    sheets = stale.sheet_parts()
    assert {sheets[DASHBOARD], sheets[ANALYTICS], "xl/drawings/drawing1.xml"} <= changed
    assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"} <= changed
    assert changed <= owned
    for name in stale.names:
        if name not in owned:
            assert relaid.read(name) == stale.read(name), name


def test_the_dashboard_has_a_row_for_each_new_item(grown, data) -> None:
    package = Package.from_bytes(grown[1])
    board = formulas(package.read(package.sheet_parts()[DASHBOARD]))
    stage = 1 + data.pipeline.names.index(NEW_STAGE.name)  # 4th stage, row 12
    row = dashboard.FUNNEL_HEADER_ROW + stage
    assert board[f"A{row}"] == f"INDEX(tblStages[Stage],{stage})"
    assert board[f"B{row}"] == f"COUNTIFS(tblDeals[Stage],{exactly(f'A{row}')})"
    assert board[f"E{row}"] == f'COUNTIFS(tblDeals[Furthest step],">={stage}")'
    assert board[f"F{row}"] == f'IFERROR(E{row}/E{row - 1},"")'
    won, lost = row + 1, row + 2  # the closing stages moved down a row
    assert board[f"A{won}"] == f"INDEX(tblStages[Stage],{stage + 1})"
    assert board[f"A{lost}"] == f"INDEX(tblStages[Stage],{stage + 2})"
    assert f"E{lost}" not in board  # the lost stage is not in the funnel

    plan = dashboard.layout(data)
    campaign = len(data.campaigns)
    assert data.campaigns["name"].iloc[campaign - 1] == NEW_CAMPAIGN.name
    last = plan.campaign_rows[1]
    assert board[f"A{last}"] == f"INDEX(tblCampaigns[Campaign],{campaign})"
    assert board[f"E{last}"] == f"INDEX(tblCampaigns[ROI],{campaign})"
    channel = dashboard.FUNNEL_HEADER_ROW + len(data.lists.channels)
    assert board[f"K{channel}"] == f"INDEX(ChannelList,{len(data.lists.channels)})"
    assert board[f"L{channel}"] == (
        f"SUMIFS(tblCampaigns[Spend],tblCampaigns[Channel],{exactly(f'K{channel}')})"
    )
    segments = plan.blocks["segments"]
    segment = segments.anchor[0] + 1 + len(data.lists.segments)
    assert board[f"K{segment}"] == f"INDEX(SegmentList,{len(data.lists.segments)})"

    shown = load_workbook(io.BytesIO(grown[1]), data_only=True)[DASHBOARD]
    assert shown[f"A{row}"].value == NEW_STAGE.name
    assert shown[f"A{last}"].value == NEW_CAMPAIGN.name
    assert shown[f"C{last}"].value == NEW_CAMPAIGN.spend
    assert shown[f"K{channel}"].value == NEW_CHANNEL
    assert shown[f"K{segment}"].value == NEW_SEGMENT


def test_chart_series_cover_the_new_rows(grown, data) -> None:
    plan = dashboard.layout(data)
    (top, bottom), (first_open, last_open) = plan.funnel_rows, plan.open_rows
    c_first, c_last = plan.campaign_rows
    assert bottom - top + 1 == len(data.pipeline.funnel) == 5
    charts = chart_series(Package.from_bytes(grown[1]))
    stages = f"'Dashboard'!$A${top}:$A${bottom}"
    assert charts["Sales funnel: deals that reached each stage"] == [
        (stages, f"'Dashboard'!$S${top}:$S${bottom}"),
        (stages, f"'Dashboard'!$E${top}:$E${bottom}"),
    ]
    open_stages = f"'Dashboard'!$A${first_open}:$A${last_open}"
    assert charts["Open pipeline value per stage"] == [
        (open_stages, f"'Dashboard'!$C${first_open}:$C${last_open}"),
        (open_stages, f"'Dashboard'!$D${first_open}:$D${last_open}"),
    ]
    assert charts["ROI per campaign"] == [
        (f"'Dashboard'!$A${c_first}:$A${c_last}", f"'Dashboard'!$E${c_first}:$E${c_last}")
    ]
    assert c_last - c_first + 1 == len(data.campaigns) == 7
    stale = chart_series(Package.from_bytes(grown[0]))
    # before: one stage fewer — a row fewer in the funnel and in the win rates below it — and
    # one campaign fewer
    assert stale["ROI per campaign"][0][1] == f"'Dashboard'!$E${c_first - 2}:$E${c_last - 3}"


def test_new_rows_look_like_the_rows_before_them(grown, data) -> None:
    package = Package.from_bytes(grown[1])
    plan = dashboard.layout(data)
    stage_row = dashboard.FUNNEL_HEADER_ROW + 1 + data.pipeline.names.index(NEW_STAGE.name)
    channel_row = dashboard.FUNNEL_HEADER_ROW + len(data.lists.channels)
    segment_row = plan.blocks["segments"].anchor[0] + 1 + len(data.lists.segments)
    pairs = (
        (stage_row, "ABCDEFG"),
        (plan.campaign_rows[1], "ABCDEFG"),
        (channel_row, "KLMNOPQ"),
        (segment_row, "KLMNOP"),
    )
    for row, columns in pairs:
        for column in columns:
            new = cell_format(package, DASHBOARD, f"{column}{row}")
            assert new == cell_format(package, DASHBOARD, f"{column}{row - 1}"), f"{column}{row}"
    # and they are the formats the template gives them: money without decimals, 0.0 %
    assert cell_format(package, DASHBOARD, f"C{stage_row}")["numFmt"] == 3
    assert cell_format(package, DASHBOARD, f"E{plan.campaign_rows[1]}")["numFmt"] == "0.0%"


def test_every_formula_cell_carries_the_cores_value(grown, data) -> None:
    book = load_workbook(io.BytesIO(grown[1]), data_only=True)
    expected = cached.core_values(data)
    assert cell_mismatches({s: expected[s] for s in SHEETS}, book) == {}
    package = Package.from_bytes(grown[1])
    xml = package.read(package.sheet_parts()[DASHBOARD])
    assert set(sheetxml.formula_cells(xml)) == set(expected[DASHBOARD])


def test_salesflow_check_finds_no_problem(grown, tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(grown[1])
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output


def test_a_workbook_laid_out_for_its_data_is_left_as_the_template_wrote_it(tmp_path) -> None:
    """The demo re-laid out is the demo byte for byte, every part — which is what the
    template writes for its data: the builder and the re-layout cannot drift apart."""
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(DEMO.read_bytes())
    run(WorkbookFile(path), relayout_only)
    after = Package.from_bytes(path.read_bytes())
    written = Package.from_bytes(template.render(reader.load(path)))
    assert after.parts == Package.from_bytes(DEMO.read_bytes()).parts
    for part in sorted(owned_parts(after) & set(after.names)):
        assert after.read(part) == written.read(part), part


def test_the_grown_dashboard_is_what_the_template_writes(grown, data) -> None:
    relaid, written = Package.from_bytes(grown[1]), Package.from_bytes(template.render(data))
    for part in sorted(owned_parts(relaid) & set(relaid.names)):
        assert relaid.read(part) == written.read(part), part


def test_the_users_view_and_protection_of_the_dashboard_are_kept(grown) -> None:
    view = (
        b'<sheetViews><sheetView zoomScale="85" workbookViewId="0">'
        b'<selection activeCell="D5" sqref="D5" /></sheetView></sheetViews>'
    )
    editor = Editor(grown[0])
    part = editor.sheets[DASHBOARD]
    xml = editor.package.read(part)
    xml = re.sub(rb"<sheetViews>.*?</sheetViews>", view, xml, flags=re.S)
    protection = b'<sheetProtection sheet="1" objects="1" />'
    editor.package.replace(part, xml.replace(b"</sheetData>", b"</sheetData>" + protection))
    relayout(editor, reader.read_bytes(grown[0])[0])
    assert view in editor.package.read(part)
    assert b"</sheetData>" + protection in editor.package.read(part)
    assert b"INDEX(tblStages[Stage],6)" in editor.package.read(part)


def test_charts_come_and_go_with_the_campaigns(tmp_path) -> None:
    """A new workbook has no campaign and no ROI chart; the first campaign brings the chart,
    with its relationship and content type; laid out without campaigns again, it goes."""
    blank = template.render(template.blank(date(2026, 6, 30)))
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(blank)

    def first_campaign(data: Any) -> Changes:
        changes = Changes(relayout=True)
        changes.append(NEW_CAMPAIGN)
        changes.lists["channels"] = (*data.lists.channels, NEW_CHANNEL)
        return changes

    run(WorkbookFile(path), first_campaign)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    before, after = Package.from_bytes(blank), Package.from_bytes(path.read_bytes())
    assert [n for n in after.names if n not in before.names] == ["xl/charts/chart3.xml"]
    assert b'PartName="/xl/charts/chart3.xml"' in after.read(CONTENT_TYPES)
    assert b"/xl/charts/chart3.xml" in after.read("xl/drawings/_rels/drawing1.xml.rels")
    assert list(chart_series(after)) == [
        "Sales funnel: deals that reached each stage",
        "Open pipeline value per stage",
        "ROI per campaign",
    ]
    assert reader.read_bytes(path.read_bytes())[1] == []

    editor = Editor(path.read_bytes())
    relayout(editor, reader.read_bytes(blank)[0])
    back = Package.from_bytes(editor.to_bytes())
    assert "xl/charts/chart3.xml" not in back.names
    assert back.read(CONTENT_TYPES) == before.read(CONTENT_TYPES)
    assert back.read("xl/drawings/_rels/drawing1.xml.rels") == before.read(
        "xl/drawings/_rels/drawing1.xml.rels"
    )


def test_parts_only_the_old_charts_used_are_removed() -> None:
    """Excel gives a chart a style part of its own; the re-laid out chart has none, so the
    style part, its relationship and its content type go, and nothing else."""
    package = Package.from_bytes(DEMO.read_bytes())
    style_type = "application/vnd.ms-office.chartstyle+xml"
    package.add("xl/charts/style1.xml", b"<cs:chartStyle/>", after="xl/charts/chart3.xml")
    package.add(
        "xl/charts/_rels/chart3.xml.rels",
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/'
        b'chartStyle" Target="style1.xml"/></Relationships>',
    )
    types = package.read(CONTENT_TYPES)
    package.replace(
        CONTENT_TYPES,
        types.replace(
            b"</Types>",
            b'<Override PartName="/xl/charts/style1.xml" ContentType="'
            + style_type.encode()
            + b'"/></Types>',
        ),
    )
    content = package.to_bytes()
    editor = Editor(content)
    snapshot = reader.read_snapshot(DEMO.read_bytes())
    relayout(editor, snapshot.data)
    editor.refresh_cached_values(snapshot.data, snapshot.rows)
    after = Package.from_bytes(editor.to_bytes())
    original = Package.from_bytes(DEMO.read_bytes())
    assert after.names == original.names
    assert after.parts == original.parts


def test_styles_are_reused_or_appended() -> None:
    target = (
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
        b'<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        b'<font><b/><sz val="11"/></font></fonts>'
        b'<fills count="1"><fill><patternFill/></fill></fills>'
        b'<borders count="1"><border/></borders>'
        b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        b"</cellStyleXfs>"
        b'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        b"</styleSheet>"
    )
    source = (
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
        b'<numFmt numFmtId="165" formatCode="0.0%"/></numFmts>'
        b'<fonts count="3"><font><name val="Calibri"/><sz val="11"/></font>'
        b'<font><b val="1"/><color rgb="FFFF0000"/></font><font><sz val="11"/><b/></font></fonts>'
        b'<fills count="1"><fill><patternFill/></fill></fills>'
        b'<borders count="1"><border/></borders>'
        b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        b"</cellStyleXfs>"
        b'<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="165" fontId="1" fillId="0" borderId="0" xfId="0"/>'
        b'<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        b'<dxfs count="1"><dxf><font><b/></font></dxf></dxfs>'
        b"</styleSheet>"
    )
    styles, formats, dxfs = import_formats(target, source, [0, 1, 2, 3], [0])
    assert formats == {0: 0, 1: 1, 2: 2, 3: 3}  # 0 and 1 equal the target's (child order aside)
    for index in range(4):
        wanted = resolved_format(source, index)
        assert resolved_format(styles, formats[index]) == wanted, index
    assert b'<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>' in styles  # 0.0% is 164 there
    assert b'<fonts count="3">' in styles
    assert b'<cellXfs count="4">' in styles
    assert dxfs == {0: 0}
    assert b'<dxfs count="1"><dxf><font><b/></font></dxf></dxfs>' in styles
    assert styles.index(b"<dxfs") > styles.index(b"</cellStyles>")
    assert import_formats(target, source, [0, 1]) == (target, {0: 0, 1: 1}, {})


def test_styles_keep_a_namespace_prefix() -> None:
    main_ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    target = (
        b'<x:styleSheet xmlns:x="' + main_ns + b'"><x:fonts count="1"><x:font/></x:fonts>'
        b'<x:fills count="1"><x:fill/></x:fills><x:borders count="1"><x:border/></x:borders>'
        b'<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        b"</x:cellXfs>"
        b"</x:styleSheet>"
    )
    source = (
        b'<styleSheet xmlns="' + main_ns + b'"><fonts count="2"><font/><font><b/></font></fonts>'
        b'<fills count="1"><fill/></fills><borders count="1"><border/></borders>'
        b'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        b'<xf numFmtId="0" fontId="1" fillId="0" borderId="0"/></cellXfs></styleSheet>'
    )
    styles, formats, _ = import_formats(target, source, [1])
    assert formats == {1: 1}
    assert b"<x:font><x:b/></x:font></x:fonts>" in styles
    ElementTree.fromstring(styles)


def xlsxwriter_donor() -> bytes:
    """A Dashboard and Analytics written by XlsxWriter: shared strings, its own styles, a chart
    with relative relationship targets, and print titles."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    board = book.add_worksheet(DASHBOARD)
    board.write("A1", "Hello")
    board.write_column(
        "B1",
        [0.25, 0.5, 0.75],
        book.add_format({"num_format": "0.00%", "bold": True, "font_color": "red"}),
    )
    board.repeat_rows(0)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": f"={DASHBOARD}!$B$1:$B$3"})
    board.insert_chart("D2", chart)
    book.add_worksheet(ANALYTICS).write(
        "A1", date(2026, 6, 30), book.add_format({"num_format": "d mmm yyyy"})
    )
    book.close()
    return out.getvalue()


def test_a_foreign_donor_is_transplanted_whole() -> None:
    """The transplant is generic: sheets from another writer come in with their strings,
    looks, chart and print titles, the old charts they replace go, and the rest stays."""
    from salesflow_xl.ooxml.transplant import transplant_sheets

    original = Package.from_bytes(DEMO.read_bytes())
    target = Package.from_bytes(DEMO.read_bytes())
    donor = Package.from_bytes(xlsxwriter_donor())
    transplant_sheets(target, donor, SHEETS)
    once = target.read("xl/workbook.xml")
    transplant_sheets(target, donor, SHEETS)
    assert target.read("xl/workbook.xml") == once  # the print titles are set, not added twice
    result = Package.from_bytes(target.to_bytes())

    board = result.read(result.sheet_parts()[DASHBOARD])
    assert b't="s"' not in board
    assert b'<t xml:space="preserve">Hello</t>' in board
    donor_sheet = donor.read(donor.sheet_parts()[DASHBOARD])
    for ref in ("B1", "B3"):
        assert cell_format(result, DASHBOARD, ref) == cell_format(donor, DASHBOARD, ref)
    assert cell_format(result, DASHBOARD, "B1")["numFmt"] == "0.00%"
    assert cell_format(result, ANALYTICS, "A1")["numFmt"] == "d mmm yyyy"
    assert b't="s"' in donor_sheet  # XlsxWriter shares its strings

    assert chart_series(result) == {"": [(None, f"{DASHBOARD}!$B$1:$B$3")]}
    gone = {"xl/charts/chart2.xml", "xl/charts/chart3.xml"}
    assert gone.isdisjoint(result.names)
    assert b"chart2.xml" not in result.read(CONTENT_TYPES)
    assert b'localSheetId="0">Dashboard!$1:$1</definedName>' in result.read("xl/workbook.xml")
    kept = (
        set(original.names)
        - owned_parts(original)
        - {"xl/styles.xml", CONTENT_TYPES, "xl/workbook.xml"}
    )
    for name in kept:
        assert result.read(name) == original.read(name), name
    assert reader.read_bytes(target.to_bytes())[1] == []
    load_workbook(io.BytesIO(target.to_bytes()))


# -- LibreOffice ----------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_computes_every_relaid_figure_as_the_core(grown, data) -> None:
    result = recalc.recalculate(grown[1])
    assert result.errors == {}
    expected = cached.core_values(data)
    book = load_workbook(io.BytesIO(result.content), data_only=True)
    package = Package.from_bytes(result.content)
    mismatches, missing = {}, []
    for sheet in SHEETS:
        for ref in sheetxml.computed_cells(package.read(package.sheet_parts()[sheet])):
            if ref not in expected[sheet]:
                missing.append(f"{sheet}!{ref}")
            elif not same_cell_value(expected[sheet][ref], book[sheet][ref].value):
                mismatches[f"{sheet}!{ref}"] = (expected[sheet][ref], book[sheet][ref].value)
    assert missing == []
    assert mismatches == {}
    last = dashboard.layout(data).campaign_rows[1]
    assert book[DASHBOARD][f"A{last}"].value == NEW_CAMPAIGN.name


@pytest.mark.libreoffice
def test_a_workbook_resaved_by_libreoffice_is_relaid_with_the_same_look(tmp_path) -> None:
    """LibreOffice writes its own styles (other indices, other spellings), shared strings and
    charts: the new Dashboard still looks as the template's, cell for cell."""
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(recalc.convert(DEMO, tmp_path / "lo").read_bytes())

    def grow_and_relayout(data: Any) -> Changes:
        changes = grow(data)
        changes.relayout = True
        return changes

    run(WorkbookFile(path), grow_and_relayout)
    data, problems = reader.read(path)
    assert problems == []
    relaid = Package.from_bytes(path.read_bytes())
    written = Package.from_bytes(template.render(data))
    for sheet in SHEETS:
        cells = _cells(written.read(written.sheet_parts()[sheet]))
        ours = dict(_cells(relaid.read(relaid.sheet_parts()[sheet])))
        assert {ref for ref, _ in cells} == set(ours), sheet
        different = [
            ref
            for ref, cell in cells
            if sheetxml.STYLE.search(cell)
            and cell_format(relaid, sheet, ref) != cell_format(written, sheet, ref)
        ]
        assert different == [], sheet
    assert chart_series(relaid) == chart_series(written)


# -- Excel ----------------------------------------------------------------------------------


def test_excel_says_how_to_lay_out_a_grown_workbook(grown, monkeypatch) -> None:
    """A workbook open in Excel is not laid out part by part: the ribbon's refresh writes what
    it writes and says how to get the new layout."""
    fake = FakeBook(grown[0])
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    ribbon.refresh_dashboard()
    message = [c for c in fake.calls if c[0] == "alert"][-1][2]
    assert 'salesflow refresh "Sales.xlsx"' in message
    assert "Dashboard!A14 is blank where the layout has a row" in message
    assert {w[1] for w in fake.writes()} <= {"Settings", "Customers"}

    fake = FakeBook(grown[1])
    monkeypatch.setattr(ribbon, "_active_book", lambda: fake)
    ribbon.refresh_dashboard()
    assert "salesflow refresh" not in [c for c in fake.calls if c[0] == "alert"][-1][2]


def test_layout_differences_of_a_fresh_workbook_are_none(grown) -> None:
    book = ExcelBook(FakeBook(grown[1]))
    run(book, relayout_only)
    assert book.layout_differences == []
    assert book.relayout_note() == ""


@pytest.mark.excel
def test_in_excel_a_grown_workbook_is_told_then_laid_out_by_the_file(grown, tmp_path) -> None:
    import xlwings as xw

    path = tmp_path / "Sales.xlsx"
    path.write_bytes(grown[0])
    app = xw.App(visible=False)
    try:
        book = ExcelBook(app.books.open(str(path)))
        run(book, relayout_only)
        assert book.layout_differences
        assert str(path) in book.relayout_note()
        book.book.close()
        run(WorkbookFile(path), relayout_only)
        book = ExcelBook(app.books.open(str(path)))
        run(book, relayout_only)
        assert book.layout_differences == []
        assert len(book.book.sheets[DASHBOARD].charts) == 3
        book.book.close()
    finally:
        app.quit()


def test_any_action_on_a_workbook_grown_by_hand_lays_it_out_anew(grown, tmp_path) -> None:
    """A campaign or stage added by hand, then any action (here: a deal advanced): the action
    finds the Dashboard laid out for other data and lays it out anew, so no figure is written
    into a cell laid out for another."""
    stale, relaid = grown
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(stale)
    deal = reader.read_bytes(stale)[0].deals.query("status == 'open'").iloc[0]["id"]
    result = CliRunner().invoke(main, ["advance", str(path), deal, "--at", "2026-06-30 18:00"])
    assert result.exit_code == 0, result.output
    after, expected = Package.from_bytes(path.read_bytes()), Package.from_bytes(relaid)
    for sheet in SHEETS:
        part = after.sheet_parts()[sheet]
        assert formulas(after.read(part)) == formulas(expected.read(expected.sheet_parts()[sheet]))
    assert chart_series(after) == chart_series(expected)


def with_calc_chain(content: bytes) -> bytes:
    """The workbook as Excel saves it: with a calculation chain listing formula cells."""
    package = Package.from_bytes(content)
    package.add(
        "xl/calcChain.xml",
        b'<calcChain xmlns="%s"><c r="B9" i="1"/></calcChain>'
        % (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    )
    rels = "xl/_rels/workbook.xml.rels"
    package.replace(
        rels,
        package.read(rels).replace(
            b"</Relationships>",
            b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
        ),
    )
    package.replace(
        CONTENT_TYPES,
        package.read(CONTENT_TYPES).replace(
            b"</Types>",
            b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
        ),
    )
    return package.to_bytes()


def test_a_new_layout_drops_excels_calculation_chain(tmp_path) -> None:
    """Formula cells move: a chain still listing the old ones makes Excel repair the file, so
    the chain goes, with its relationship and content type (Excel builds it anew)."""
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(with_calc_chain(DEMO.read_bytes()))
    run(WorkbookFile(path), relayout_only)
    package = Package.from_bytes(path.read_bytes())
    assert "xl/calcChain.xml" not in package
    assert b"calcChain" not in package.read("xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in package.read(CONTENT_TYPES)
    assert reader.read(path)[1] == []
