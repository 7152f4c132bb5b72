"""Actions never lose what the user added to the workbook: macros, a ribbon, extra sheets
and parts SalesFlow does not know stay byte for byte."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesflow_xl.addin import build as addin
from salesflow_xl.cli import main
from salesflow_xl.workbook import build, reader, recalc
from salesflow_xl.workbook.package import Package

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
    before = Package.from_bytes(path.read_bytes()).parts
    result = CliRunner().invoke(
        main,
        ["log", str(path), deal, "--type", "Call", "--note", "Resaved", "--at", "2026-06-30 10:00"],
    )
    assert result.exit_code == 0, result.output
    after_data, problems = reader.read(path)
    assert problems == []
    assert after_data.activities["note"].iloc[-1] == "Resaved"
    after = Package.from_bytes(path.read_bytes()).parts
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed
    assert all(name.startswith(("xl/worksheets/sheet", "xl/tables/")) for name in changed)
