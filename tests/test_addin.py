"""The Excel add-in, checked as far as Linux allows: reproducible build, VBA that oletools and
LibreOffice read back, and ribbon, VBA and Python that name each other correctly."""

from __future__ import annotations

import importlib
import io
import random
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from salesflow_xl.addin import build, compression
from salesflow_xl.excel import ribbon

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"


@pytest.fixture(scope="module")
def addin() -> bytes:
    return build.build()


@pytest.fixture(scope="module")
def vba(addin, tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("addin") / "SalesFlow.xlam"
    path.write_bytes(addin)
    parser = VBA_Parser(str(path))
    modules = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    return modules


@pytest.fixture(scope="module")
def buttons() -> list[ElementTree.Element]:
    root = ElementTree.fromstring((build.INSTALL / "ribbon.xml").read_bytes())
    return list(root.iter(f"{UI}button"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a",
        b"Sub A()\r\nEnd Sub\r\n" * 3,
        b"x" * 10_000,
        bytes(random.Random(3).randrange(256) for _ in range(5000)),
        (build.INSTALL / "SalesFlow.bas").read_bytes() * 9,
    ],
    ids=["empty", "one byte", "short", "repetitive", "random", "long source"],
)
def test_compression_round_trips_through_oletools(data: bytes) -> None:
    back = bytes(decompress_stream(bytearray(compression.compress(data))))
    # a raw (incompressible) last chunk is padded to 4096 bytes with zeros, as the spec says
    assert back[: len(data)] == data
    assert set(back[len(data) :]) <= {0}


def test_the_committed_addin_is_what_the_sources_build(addin) -> None:
    committed = (build.INSTALL / build.ADDIN_NAME).read_bytes()
    assert committed == addin, "install/SalesFlow.xlam is stale: python -m salesflow_xl.addin.build"


def test_the_build_leaves_this_process_alone(tmp_path, monkeypatch) -> None:
    """ms-ovba writes into its working folder and draws random bytes: a child process in a
    temporary folder does that, with its own seeded generator."""
    monkeypatch.chdir(tmp_path)
    state = random.getstate()
    project = build.vba_project({"Tiny": "Sub Tiny()\nEnd Sub\n"})
    assert project.startswith(bytes.fromhex("D0CF11E0A1B11AE1"))  # an OLE compound file
    assert random.getstate() == state
    assert Path.cwd() == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_vba_modules_read_back_byte_for_byte(vba) -> None:
    source = (build.INSTALL / "SalesFlow.bas").read_text(encoding="ascii")
    assert set(vba) == {"SalesFlow", "ThisWorkbook", "Sheet1"}
    assert vba["SalesFlow"].replace("\r\n", "\n").strip() == source.replace("\r\n", "\n").strip()


def test_every_on_action_names_a_vba_procedure(vba, buttons) -> None:
    procedures = set(
        re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)", vba["SalesFlow"], re.M)
    )
    assert {b.get("onAction") for b in buttons} <= procedures


def test_every_tag_names_a_no_argument_python_function(buttons) -> None:
    tags = [b.get("tag") for b in buttons]
    assert sorted(tags) == sorted(ribbon.BUTTONS)
    for tag in tags:
        assert callable(getattr(ribbon, tag))


def test_run_python_imports_the_ribbon_module(vba) -> None:
    (module,) = re.findall(r'"import ([\w.]+) as r; r\." & action & "\(\)"', vba["SalesFlow"])
    assert importlib.import_module(module) is ribbon


def test_vba_helpers_called_from_python_exist(vba) -> None:
    source = Path(ribbon.__file__).read_text(encoding="utf-8")
    called = set(re.findall(r"!(SalesFlow\w+)", source))
    assert called == {"SalesFlowAsk", "SalesFlowPickFile", "SalesFlowPickSaveFile"}
    for name in called:
        assert re.search(rf"^Public Function {name}\(", vba["SalesFlow"], re.M)


def test_the_ribbon_has_three_groups_with_icons_and_tips(buttons) -> None:
    root = ElementTree.fromstring((build.INSTALL / "ribbon.xml").read_bytes())
    assert [g.get("label") for g in root.iter(f"{UI}group")] == ["Pipeline", "Customers", "Reports"]
    for button in buttons:
        assert button.get("imageMso"), button.get("id")
        assert button.get("screentip"), button.get("id")
        assert button.get("supertip"), button.get("id")


def test_the_package_is_an_addin_with_ribbon_and_vba(addin) -> None:
    with zipfile.ZipFile(io.BytesIO(addin)) as archive:
        types = archive.read("[Content_Types].xml").decode()
        assert build.ADDIN_CONTENT_TYPE in types
        assert 'PartName="/xl/vbaProject.bin"' in types
        assert build.UI_RELATIONSHIP in archive.read("_rels/.rels").decode()
        assert build.VBA_RELATIONSHIP in archive.read("xl/_rels/workbook.xml.rels").decode()
        assert b'codeName="ThisWorkbook"' in archive.read("xl/workbook.xml")
        assert archive.read("customUI/customUI.xml") == (build.INSTALL / "ribbon.xml").read_bytes()


@pytest.mark.libreoffice
def test_libreoffice_opens_the_twin_and_sees_the_modules(tmp_path) -> None:
    twin = tmp_path / "SalesFlow.xlsm"
    twin.write_bytes(build.build(build.XLSM_CONTENT_TYPE))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(twin),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    with zipfile.ZipFile(tmp_path / "SalesFlow.ods") as ods:
        module = ods.read("Basic/VBAProject/SalesFlow.xml").decode()
        assert {"Basic/VBAProject/ThisWorkbook.xml", "Basic/VBAProject/Sheet1.xml"} <= set(
            ods.namelist()
        )
    for procedure in (
        "SalesFlowButton",
        "RunSalesFlow",
        "SalesFlowAsk",
        "SalesFlowPickFile",
        "SalesFlowPickSaveFile",
    ):
        assert f" {procedure}(" in module


@pytest.mark.excel
def test_excel_loads_the_addin_and_compiles_its_vba() -> None:  # pragma: no cover - needs Excel
    import xlwings as xw

    app = xw.App(visible=False)
    try:
        book = app.books.open(str(build.INSTALL / build.ADDIN_NAME))
        assert book.macro("SalesFlowAsk") is not None
        app.api.VBE.CommandBars.FindControl(Id=578).Execute()  # Debug > Compile VBAProject
    finally:
        app.quit()
