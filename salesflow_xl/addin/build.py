"""Build the SalesFlow Excel add-in, ``install/SalesFlow.xlam``, from its sources on any OS.

The add-in is a workbook package carrying
- ``customUI/customUI.xml`` — the ribbon tab (``install/ribbon.xml``);
- ``xl/vbaProject.bin`` — a VBA project made from ``install/SalesFlow.bas`` with ``ms-ovba``
  (source only, no compiled p-code: Excel compiles it on open, as MS-OVBA allows), compressed
  with :mod:`salesflow_xl.addin.compression`;
- one small sheet explaining what it is.

Why an add-in rather than a macro-enabled template: the ribbon then appears for every
workbook, the user's own files stay plain .xlsx (no macros in the data), and updating SalesFlow
means replacing one file. The buttons call ``RunPython`` of the xlwings add-in, so SalesFlow
embeds no copy of xlwings' VBA.

The build is reproducible: fixed dates, a seeded random source for the project's protection
fields, fixed zip timestamps. ``python -m salesflow_xl.addin.build`` writes the file; a test
fails when the committed one differs.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path
from unittest import mock

from openpyxl import Workbook
from openpyxl.styles import Font

from salesflow_xl.addin import compression
from salesflow_xl.ooxml.reproducible import FIXED_TIME, normalise_zip

INSTALL = Path(__file__).resolve().parents[2] / "install"
ADDIN_NAME = "SalesFlow.xlam"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
VBA_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
PROJECT_ID = "{5A1E5F10-0C2B-4D4E-9A61-5A1E5F105A1E}"


def vba_project(modules: dict[str, str]) -> bytes:
    """``vbaProject.bin`` with the standard modules ``modules`` (name → source text) and the
    ThisWorkbook and Sheet1 document modules.

    ms-ovba writes its working files (and the result) into the current folder under fixed
    names, so it runs in a child process whose working folder is a fresh temporary one: this
    process's folder, and other threads' files, are never touched."""
    for name, source in modules.items():
        try:
            source.encode("ascii")  # VBA source must be ASCII here (code page 1252 subset)
        except UnicodeEncodeError as error:
            raise ValueError(f"{name}: VBA source must be ASCII ({error})") from error
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))
    code = "from salesflow_xl.addin.build import _write_vba_project; _write_vba_project()"
    with tempfile.TemporaryDirectory(prefix="salesflow-vba-") as temp:
        subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(modules),
            encoding="utf-8",
            cwd=temp,
            env={**os.environ, "PYTHONPATH": path},
            check=True,
        )
        return (Path(temp) / "vbaProject.bin").read_bytes()


def _write_vba_project() -> None:
    """The child process of :func:`vba_project`: reads the modules as JSON on stdin, writes
    ``vbaProject.bin`` and ms-ovba's working files into the current folder. The project's
    protection fields take their random bytes from a generator seeded here, handed to the one
    module that draws them."""
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.project_ole_file import ProjectOleFile
    from ms_ovba_compression.ms_ovba import MsOvba
    from ms_ovba_crypto import MsOvbaCrypto

    modules: dict[str, str] = json.load(sys.stdin)
    blanks = Path(sys.modules["ms_ovba"].__file__ or "").parent / "blank_files"
    with (
        mock.patch.object(MsOvba, "compress", lambda self, data: compression.compress(data)),
        mock.patch.object(sys.modules[MsOvbaCrypto.__module__], "random", random.Random(2026)),
    ):
        project = VbaProject()
        project.project_id = PROJECT_ID
        for name, guid in (
            ("Sheet1", "0002082000000000C000000000000046"),
            ("ThisWorkbook", "0002081900000000C000000000000046"),
        ):
            shutil.copy(blanks / f"{name}.cls", f"{name}.cls")
            module = DocModule(name)
            module.add_file(f"{name}.cls")
            module.add_guid(uuid.UUID(guid))
            module.normalize_file()
            project.add_module(module)
        for name, source in modules.items():
            Path(f"{name}.bas").write_text(source.replace("\r\n", "\n"), encoding="ascii")
            module = StdModule(name)
            module.add_file(f"{name}.bas")
            module.normalize_file()
            project.add_module(module)
        for guid, version, path, description, name in (
            (
                "0002043000000000C000000000000046",
                "2.0",
                r"C:\Windows\System32\stdole2.tlb",
                "OLE Automation",
                "stdole",
            ),
            (
                "2DF8D04C5BFA101BBDE500AA0044DE52",
                "2.0",
                r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
                "Microsoft Office 16.0 Object Library",
                "Office",
            ),
        ):
            library = LibidReference(uuid.UUID(guid), version, "0", path, description)
            project.add_reference(Reference(ReferenceRegistered(library), name))
        ProjectOleFile.write_file(project)


def _workbook() -> bytes:
    wb = Workbook()
    wb.properties.creator = "SalesFlow XL"
    wb.properties.title = "SalesFlow add-in"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.code_name = "ThisWorkbook"
    sheet = wb.active
    sheet.title = "SalesFlow"
    sheet.sheet_properties.codeName = "Sheet1"
    sheet["A1"] = "SalesFlow XL add-in"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "Adds the SalesFlow tab to Excel's ribbon. Install with: salesflow install"
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue()


def package(ribbon_xml: bytes, vba: bytes, content_type: str = ADDIN_CONTENT_TYPE) -> bytes:
    """A workbook package with the ribbon and the VBA project added."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    parts = {name: source.read(name) for name in source.namelist()}
    types = parts["[Content_Types].xml"].decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        content_type,
    )
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/vbaProject.bin" ContentType="{VBA_CONTENT_TYPE}"/></Types>',
    )
    parts["[Content_Types].xml"] = types.encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdSalesFlowVba" Type="{VBA_RELATIONSHIP}" '
        'Target="vbaProject.bin"/></Relationships>',
    ).encode()
    root = parts["_rels/.rels"].decode()
    parts["_rels/.rels"] = root.replace(
        "</Relationships>",
        f'<Relationship Id="rIdSalesFlowUi" Type="{UI_RELATIONSHIP}" '
        'Target="customUI/customUI.xml"/></Relationships>',
    ).encode()
    parts["xl/vbaProject.bin"] = vba
    parts["customUI/customUI.xml"] = ribbon_xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return normalise_zip(out.getvalue())


def sources() -> tuple[bytes, dict[str, str]]:
    """The ribbon XML and the VBA modules (name → source) from ``install/``."""
    ribbon = (INSTALL / "ribbon.xml").read_bytes()
    modules = {
        path.stem: path.read_text(encoding="ascii") for path in sorted(INSTALL.glob("*.bas"))
    }
    return ribbon, modules


def build(content_type: str = ADDIN_CONTENT_TYPE) -> bytes:
    """The add-in's bytes (or, with the .xlsm content type, its macro-workbook twin)."""
    ribbon, modules = sources()
    return package(ribbon, vba_project(modules), content_type)


def main() -> None:
    target = INSTALL / ADDIN_NAME
    content = build()
    target.write_bytes(content)
    print(f"wrote {target} ({len(content):,} bytes)")


if __name__ == "__main__":
    main()
