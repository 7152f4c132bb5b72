"""The command line's writes keep what an Office add-in such as xlwings Lite stores in the
workbook (docs/design/xlwings-lite.md §6, risk 11).

Where exactly Lite keeps its code has not been seen (no workbook saved by Lite was at hand), so
the demo workbook gets both places an add-in can store data in an .xlsx, written as Office
writes them:

- a task pane web extension ([MS-OWEXML]): ``xl/webextensions/taskpanes.xml``, related from the
  package's ``_rels/.rels``, its ``_rels/taskpanes.xml.rels`` pointing to
  ``webextension1.xml``, which holds the add-in's reference (xlwings Lite's store id
  WA200008175) and its document settings (``Office.context.document.settings``) as properties;
- a custom XML part (ECMA-376 Part 1, §22.5, ``Office.context.document.customXmlParts``):
  ``customXml/item1.xml`` with ``itemProps1.xml``, related from the workbook part;

each with its content type. Then ``salesflow`` commands that rewrite the workbook run on it —
an action, a refresh, a lead, a new campaign (which lays the Dashboard out anew), and
``forget`` on a workbook made before the Privacy log sheet, which adds that sheet (rewriting the
workbook part, its relationships and the content types) — and the parts must come through byte
for byte, with their relationships and content types."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import demo_copy, ok
from defusedxml import ElementTree

PACKAGE_RELS = "_rels/.rels"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

TASKPANES_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXTENSION_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextension"
CUSTOM_XML_TYPE = f"{R_NS}/customXml"
CUSTOM_XML_PROPS_TYPE = f"{R_NS}/customXmlProps"

#: The parts an add-in adds, as Office writes them.
PARTS: dict[str, bytes] = {
    "xl/webextensions/taskpanes.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/'
        b'taskpanes/2010/11"><wetp:taskpane dockstate="right" visibility="1" width="438" '
        b'row="1"><wetp:webextensionref xmlns:r="' + R_NS.encode() + b'" r:id="rId1"/>'
        b"</wetp:taskpane></wetp:taskpanes>"
    ),
    "xl/webextensions/_rels/taskpanes.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<Relationships xmlns="' + RELS_NS.encode() + b'"><Relationship Id="rId1" '
        b'Type="' + WEBEXTENSION_TYPE.encode() + b'" Target="webextension1.xml"/></Relationships>'
    ),
    "xl/webextensions/webextension1.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/'
        b'webextension/2010/11" id="{6A1B2C3D-4E5F-4A1B-9C2D-3E4F5A6B7C8D}">'
        b'<we:reference id="wa200008175" version="1.0.0.103" store="en-US" storeType="OMEX"/>'
        b"<we:alternateReferences/><we:properties>"
        b'<we:property name="Office.AutoShowTaskpaneWithDocument" value="true"/>'
        b'<we:property name="main.py" value="&quot;from salesflow_udfs import *\\n&quot;"/>'
        b'<we:property name="requirements.txt" value="&quot;salesflow-xl\\nxlwings&quot;"/>'
        b"</we:properties><we:bindings/>"
        b'<we:snapshot xmlns:r="' + R_NS.encode() + b'"/></we:webextension>'
    ),
    "customXml/item1.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n'
        b'<xlwingsLite xmlns="urn:example:xlwings-lite"><file name="main.py">'
        + "from salesflow_udfs import *&#10;中文 ✓</file></xlwingsLite>".encode()
    ),
    "customXml/itemProps1.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n'
        b'<ds:datastoreItem ds:itemID="{0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0}" '
        b'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
        b'<ds:schemaRefs><ds:schemaRef ds:uri="urn:example:xlwings-lite"/></ds:schemaRefs>'
        b"</ds:datastoreItem>"
    ),
    "customXml/_rels/item1.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<Relationships xmlns="' + RELS_NS.encode() + b'"><Relationship Id="rId1" '
        b'Type="' + CUSTOM_XML_PROPS_TYPE.encode() + b'" Target="itemProps1.xml"/>'
        b"</Relationships>"
    ),
}
#: Content type overrides for them (item1.xml takes the "xml" default, added if missing).
OVERRIDES = {
    "/xl/webextensions/taskpanes.xml": "application/vnd.ms-office.webextensiontaskpanes+xml",
    "/xl/webextensions/webextension1.xml": "application/vnd.ms-office.webextension+xml",
    "/customXml/itemProps1.xml": (
        "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
    ),
}
#: The relationships into them: (rels part, Id, Type, Target).
RELATIONSHIPS = [
    (PACKAGE_RELS, "rIdLite1", TASKPANES_TYPE, "xl/webextensions/taskpanes.xml"),
    (WORKBOOK_RELS, "rIdLite2", CUSTOM_XML_TYPE, "../customXml/item1.xml"),
]


def _insert_before_close(xml: bytes, close: bytes, element: bytes) -> bytes:
    at = xml.rindex(close)
    return xml[:at] + element + xml[at:]


def with_stored_parts(content: bytes) -> bytes:
    """``content`` (a workbook) with the add-in's parts, relationships and content types."""
    source = zipfile.ZipFile(io.BytesIO(content))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    for rels, rid, kind, target in RELATIONSHIPS:
        parts[rels] = _insert_before_close(
            parts[rels],
            b"</Relationships>",
            f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'.encode(),
        )
    types = parts[CONTENT_TYPES]
    if b'Extension="xml"' not in types:
        types = _insert_before_close(
            types, b"</Types>", b'<Default Extension="xml" ContentType="application/xml"/>'
        )
    for name, kind in OVERRIDES.items():
        types = _insert_before_close(
            types, b"</Types>", f'<Override PartName="{name}" ContentType="{kind}"/>'.encode()
        )
    parts[CONTENT_TYPES] = types
    parts.update(PARTS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def relationships(xml: bytes) -> dict[str, tuple[str, str]]:
    """Id → (Type, Target) of a relationships part."""
    root = ElementTree.fromstring(xml)
    return {
        r.get("Id"): (r.get("Type"), r.get("Target"))
        for r in root.iter(f"{{{RELS_NS}}}Relationship")
    }


def content_type(types_xml: bytes, part: str) -> str | None:
    """The content type of ``part`` (``/a/b.xml``): its override, else its extension's default."""
    root = ElementTree.fromstring(types_xml)
    for override in root.iter(f"{{{TYPES_NS}}}Override"):
        if override.get("PartName") == part:
            return override.get("ContentType")
    extension = part.rpartition(".")[2]
    for default in root.iter(f"{{{TYPES_NS}}}Default"):
        if default.get("Extension", "").lower() == extension.lower():
            return default.get("ContentType")
    return None


def stored_parts_problems(content: bytes) -> list[str]:
    """What of the add-in's parts, relationships and content types ``content`` lost."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    names = set(archive.namelist())
    problems = [
        f"{name} changed or missing"
        for name, data in PARTS.items()
        if name not in names or archive.read(name) != data
    ]
    for rels, rid, kind, target in RELATIONSHIPS:
        found = relationships(archive.read(rels))
        if found.get(rid) != (kind, target):
            problems.append(f"{rels}: {rid} is {found.get(rid)}")
    types = archive.read(CONTENT_TYPES)
    for name, kind in OVERRIDES.items():
        if content_type(types, name) != kind:
            problems.append(f"{name}: content type {content_type(types, name)}")
    if content_type(types, "/customXml/item1.xml") not in ("application/xml", "text/xml"):
        problems.append("customXml/item1.xml has no XML content type")
    return problems


def relationship_ids(content: bytes, rels: str) -> list[str]:
    xml = zipfile.ZipFile(io.BytesIO(content)).read(rels)
    return [r.get("Id") for r in ElementTree.fromstring(xml).iter(f"{{{RELS_NS}}}Relationship")]


@pytest.fixture
def book(tmp_path):
    path = demo_copy(tmp_path)
    path.write_bytes(with_stored_parts(path.read_bytes()))
    assert stored_parts_problems(path.read_bytes()) == []
    return path


COMMANDS = {
    "advance": ["advance", "{book}", "D00016", "--at", "2026-06-30 10:00"],
    "add-lead": ["add-lead", "{book}", "--name", "Ada Park", "--value", "3600"],
    "refresh": ["refresh", "{book}", "--as-of", "2026-07-01"],
    "campaign": [
        *("campaign", "add", "{book}", "Autumn fair", "--channel", "Events", "--spend", "1200"),
        *("--start", "2026-07-01", "--end", "2026-07-31"),
    ],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_keeps_the_add_in_parts(book, command) -> None:
    before = book.read_bytes()
    ok(*[arg.format(book=book) for arg in COMMANDS[command]])
    after = book.read_bytes()
    assert after != before  # the command wrote the workbook
    assert stored_parts_problems(after) == []
    for rels in (PACKAGE_RELS, WORKBOOK_RELS):
        ids = relationship_ids(after, rels)
        assert len(ids) == len(set(ids)), rels
    ok("check", book)


def test_a_new_sheet_keeps_the_add_in_parts(tmp_path) -> None:
    """``forget`` on a workbook made before the Privacy log sheet adds that sheet: the workbook
    part, its relationships and the content types are rewritten around the add-in's."""
    book = tmp_path / "Old.xlsx"
    shutil.copy(Path(__file__).parent / "data" / "demo-before-customer-values.xlsx", book)
    book.write_bytes(with_stored_parts(book.read_bytes()))
    before = set(zipfile.ZipFile(book).namelist())
    ok("forget", book, "C0042")
    after = book.read_bytes()
    assert len(set(zipfile.ZipFile(io.BytesIO(after)).namelist()) - before) == 3  # sheet, table
    assert stored_parts_problems(after) == []
    ids = relationship_ids(after, WORKBOOK_RELS)
    assert len(ids) == len(set(ids))


def test_the_check_notices_a_lost_part(book) -> None:
    """The check can fail: a workbook rewritten without the web extension part, its override
    and its relationship is reported."""
    source = zipfile.ZipFile(io.BytesIO(book.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            if info.filename != "xl/webextensions/webextension1.xml":
                archive.writestr(info.filename, source.read(info))
    assert stored_parts_problems(out.getvalue()) == [
        "xl/webextensions/webextension1.xml changed or missing"
    ]
