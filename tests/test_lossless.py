"""Actions never lose what the user added to the workbook: macros, a ribbon, extra sheets
and parts SalesFlow does not know stay byte for byte."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.addin import build as addin
from salesflow_xl.cli import main
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.package import Package
from salesflow_xl.ooxml.refs import column_letter
from salesflow_xl.recalc import libreoffice as recalc
from salesflow_xl.workbook import build, reader, schema

DEMO = Path(__file__).parent.parent / "workbook" / build.DEMO_NAME


def macro_workbook() -> bytes:
    """The demo workbook turned into an .xlsm carrying VBA, a ribbon and a picture part."""
    source = zipfile.ZipFile(io.BytesIO(DEMO.read_bytes()))
    parts = {name: source.read(name) for name in source.namelist()}
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            addin.XLSM_CONTENT_TYPE,
        )
        .replace(
            "</Types>",
            '<Override PartName="/xl/vbaProject.bin" '
            f'ContentType="{addin.VBA_CONTENT_TYPE}"/><Default Extension="png" '
            'ContentType="image/png"/></Types>',
        )
        .encode()
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdVba" Type="{addin.VBA_RELATIONSHIP}" '
        'Target="vbaProject.bin"/></Relationships>'.encode(),
    )
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdUi" Type="{addin.UI_RELATIONSHIP}" '
        'Target="customUI/customUI.xml"/></Relationships>'.encode(),
    )
    addin_parts = zipfile.ZipFile(io.BytesIO(addin.build()))
    parts["xl/vbaProject.bin"] = addin_parts.read("xl/vbaProject.bin")
    parts["customUI/customUI.xml"] = addin_parts.read("customUI/customUI.xml")
    parts["xl/media/image1.png"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def test_an_action_on_an_xlsm_keeps_macros_ribbon_and_pictures(tmp_path) -> None:
    path = tmp_path / "Sales.xlsm"
    path.write_bytes(macro_workbook())
    before = Package.from_bytes(path.read_bytes()).parts
    data, problems = reader.read(path)
    assert problems == []
    deal = str(data.deals.loc[data.deals["status"] == "open", "id"].iloc[0])
    result = CliRunner().invoke(main, ["advance", str(path), deal, "--at", "2026-06-30 10:00"])
    assert result.exit_code == 0, result.output
    after = Package.from_bytes(path.read_bytes()).parts
    assert list(after) == list(before)
    for name in (
        "xl/vbaProject.bin",
        "customUI/customUI.xml",
        "xl/media/image1.png",
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/charts/chart1.xml",
        "xl/drawings/drawing1.xml",
    ):
        assert after[name] == before[name], name
    changed = {name for name in before if before[name] != after[name]}
    assert all(name.startswith(("xl/worksheets/sheet", "xl/tables/table")) for name in changed)


@pytest.mark.libreoffice
def test_an_action_on_a_workbook_resaved_by_libreoffice(tmp_path) -> None:
    """LibreOffice writes shared strings, its own styles and layout: actions still work,
    change only the rows they touch, and the result reads back cleanly."""
    converted = recalc.convert(DEMO, tmp_path / "lo")
    path = tmp_path / "Sales.xlsx"
    path.write_bytes(converted.read_bytes())
    data, problems = reader.read(path)
    assert problems == []
    deal = str(data.deals.loc[data.deals["status"] == "open", "id"].iloc[0])
    before_package = Package.from_bytes(path.read_bytes())
    before = before_package.parts
    result = CliRunner().invoke(
        main,
        ["log", str(path), deal, "--type", "Call", "--note", "Resaved", "--at", "2026-06-30 10:00"],
    )
    assert result.exit_code == 0, result.output
    after_data, problems = reader.read(path)
    assert problems == []
    assert after_data.activities["note"].iloc[-1] == "Resaved"
    after_package = Package.from_bytes(path.read_bytes())
    after = after_package.parts
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed
    assert all(
        name.startswith(("xl/worksheets/sheet", "xl/tables/")) or name == "xl/workbook.xml"
        for name in changed
    )
    # the workbook part only in its calculation properties (every value is stored now)
    book = "xl/workbook.xml"
    calc_pr = re.compile(rb"<calcPr\b[^>]*>")
    assert calc_pr.sub(b"", before_package.read(book)) == calc_pr.sub(b"", after_package.read(book))

    # LibreOffice drops the tables' calculated-column formulas: a new row still gets them
    result = CliRunner().invoke(
        main, ["add-lead", str(path), "--name", "Ada Park", "--at", "2026-06-30 11:00"]
    )
    assert result.exit_code == 0, result.output
    package = Package.from_bytes(path.read_bytes())
    xml = package.read(package.sheet_parts()[schema.DEALS.sheet])
    last = max(sheetxml.rows(xml))
    cells = sheetxml.cells(sheetxml.rows(xml)[last])
    for index, column in enumerate(schema.DEALS.columns, start=1):
        if column.computed:
            cell = cells[f"{column_letter(index)}{last}"]
            assert b"<f>" in cell, column.header


# a valid 1×1 PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def xlsxwriter_workbook(path: Path) -> None:
    """The demo data written by XlsxWriter (another author's writer) in SalesFlow's layout,
    plus what users add: a chart sheet, a picture and a comment."""
    import xlsxwriter

    from salesflow_xl.core import demo
    from salesflow_xl.workbook import cached, schema, template

    data = demo.generate()
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    frames = {spec.key: data.table(spec.key) for spec in schema.TABLES.values()}
    frames["stages"] = template._stages_frame(data)
    for spec in schema.all_tables():
        sheet = book.add_worksheet(spec.sheet)
        frame = frames[spec.key]
        rows = []
        for record in frame.to_dict(orient="records"):
            row = []
            for column in spec.columns:
                value = record.get(column.field) if column.field else None
                row.append(None if column.computed else cached.cell_value(value))
            rows.append(row)
        columns = []
        for column in spec.columns:
            entry = {"header": column.header}
            if column.computed:
                entry["formula"] = schema.formula_of(spec, column)
            if column.kind == "date":
                entry["format"] = date_format
            elif column.kind == "timestamp":
                entry["format"] = time_format
            columns.append(entry)
        sheet.add_table(
            0,
            0,
            max(len(rows), 1),
            len(spec.columns) - 1,
            {"name": spec.name, "columns": columns, "data": rows or None},
        )
    lists = book.add_worksheet(schema.LISTS_SHEET)
    for offset, spec in enumerate(schema.LISTS.values()):
        values = [[v] for v in getattr(data.lists, spec.key)]
        lists.add_table(
            0,
            2 * offset,
            len(values),
            2 * offset,
            {"name": spec.table, "columns": [{"header": spec.header}], "data": values},
        )
    settings = book.add_worksheet(schema.SETTINGS_SHEET)
    for setting in schema.SETTINGS:
        row = int(cached.settings_refs()[setting.name][1:]) - 1
        settings.write(row, 0, setting.label)
        if setting.field:
            value = getattr(data.settings, setting.field)
            settings.write(
                row, 1, cached.cell_value(value), date_format if setting.kind == "date" else None
            )
        book.define_name(setting.name, f"=Settings!$B${row + 1}")
    book.get_worksheet_by_name("Deals").write_comment("A1", "A user's note about IDs")
    book.get_worksheet_by_name("Deals").insert_image(
        "AA2", "logo.png", {"image_data": io.BytesIO(PNG)}
    )
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Deals!$E$2:$E$20", "name": "Values"})
    book.add_chartsheet("My chart").set_chart(chart)
    book.close()


def test_an_action_on_a_workbook_written_by_xlsxwriter(tmp_path) -> None:
    path = tmp_path / "Sales.xlsx"
    xlsxwriter_workbook(path)
    data, problems = reader.read(path)
    assert problems == []
    assert len(data.deals) == 300
    deal = str(data.deals.loc[data.deals["status"] == "open", "id"].iloc[0])
    before = Package.from_bytes(path.read_bytes()).parts
    result = CliRunner().invoke(main, ["advance", str(path), deal, "--at", "2026-06-30 10:00"])
    assert result.exit_code == 0, result.output
    after = Package.from_bytes(path.read_bytes()).parts
    assert list(after) == list(before)
    keep = [
        n
        for n in before
        if n.startswith(
            ("xl/charts/", "xl/drawings/", "xl/media/", "xl/comments", "xl/chartsheets/")
        )
    ]
    assert len(keep) >= 5, keep
    for name in keep:
        assert after[name] == before[name], name
    back, problems = reader.read(path)
    assert problems == []
    assert (
        back.deals.set_index("id").loc[deal, "stage"]
        != data.deals.set_index("id").loc[deal, "stage"]
    )


def real_world_samples() -> list[Path]:
    """Workbooks saved by Excel that ship inside a PyPI package (xlwings' templates, with VBA)."""
    import xlwings

    folder = Path(xlwings.__file__).parent
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsm", ".xlam"))


@pytest.mark.parametrize("sample", real_world_samples(), ids=lambda p: p.name)
def test_real_world_files_round_trip_and_are_checked_without_harm(sample, tmp_path) -> None:
    content = sample.read_bytes()
    package = Package.from_bytes(content)
    again = Package.from_bytes(package.to_bytes())
    assert again.parts == package.parts  # every part, byte for byte
    path = tmp_path / sample.name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1  # not a SalesFlow workbook: its missing sheets are listed
    assert "expected a sheet named 'Deals'" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == content
