"""An .xlsx/.xlsm file as a zip package of parts, edited part by part.

SalesFlow never round-trips a user's workbook through openpyxl (which drops charts, images and
anything else it does not understand). Edits replace the content of the few parts they own — a
sheet's XML, a table's XML — and every other part is written back with the same name, order,
bytes, timestamp and compression.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import ElementTree

from salesflow_xl.core.errors import SalesflowError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


#: Limits that keep a hostile file from exhausting memory: a real workbook of 100,000 deals
#: holds a few hundred MB of XML that compresses about 10–30 times.
MAX_PARTS = 10_000
MAX_TOTAL_SIZE = 2 * 1024**3
MAX_RATIO = 500
RATIO_CHECKED_ABOVE = 10 * 1024**2
XML_SUFFIXES = (".xml", ".rels", ".vml")


class PackageError(SalesflowError):
    """The file is not a readable Excel workbook package."""


def check_archive(infos: list[zipfile.ZipInfo], source: str) -> None:
    """Refuse zip bombs: too many parts, too much data, or a part compressed implausibly well."""
    if len(infos) > MAX_PARTS:
        raise PackageError(
            f"{source} has {len(infos):,} parts; a workbook has far fewer (limit {MAX_PARTS:,})"
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_SIZE:
        raise PackageError(
            f"{source} would unpack to {total / 1024**3:.1f} GiB "
            f"(limit {MAX_TOTAL_SIZE / 1024**3:.0f} GiB): refused as a zip bomb"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
            raise PackageError(
                f"{source}: part {info.filename} expands {ratio:,.0f} times "
                f"(limit {MAX_RATIO}): refused as a zip bomb"
            )


def check_xml(name: str, content: bytes, source: str) -> None:
    """Refuse document type declarations: SpreadsheetML never needs one, and they carry
    entity-expansion ("billion laughs") and external-entity attacks."""
    head = content[:4096].lstrip()
    if name.endswith(XML_SUFFIXES) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
        raise PackageError(
            f"{source}: part {name} declares a DOCTYPE or entities, which an "
            "Excel file never does: refused"
        )


@dataclass
class Package:
    """The parts of a workbook package in their original order; ``replace`` changes a part."""

    infos: list[zipfile.ZipInfo]
    parts: dict[str, bytes]
    changed: set[str] = field(default_factory=set)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "the workbook") -> Package:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                check_archive(infos, source)
                parts = {info.filename: archive.read(info.filename) for info in infos}
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ) as error:
            raise PackageError(
                f"{source} is not a readable Excel workbook (.xlsx): {error}"
            ) from error
        for name, content in parts.items():
            check_xml(name, content, source)
        if "xl/workbook.xml" not in parts:
            raise PackageError(f"{source} is not an Excel workbook: it has no xl/workbook.xml")
        return cls(infos, parts)

    def read(self, name: str) -> bytes:
        return self.parts[name]

    def replace(self, name: str, content: bytes) -> None:
        if name not in self.parts:
            raise KeyError(name)
        if content != self.parts[name]:
            self.parts[name] = content
            self.changed.add(name)

    def to_bytes(self) -> bytes:
        """The package with changed parts replaced; untouched parts keep their zip metadata."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for info in self.infos:
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = info.compress_type
                entry.external_attr = info.external_attr
                entry.create_system = info.create_system
                archive.writestr(entry, self.parts[info.filename])
        return out.getvalue()

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name → its part name ("xl/worksheets/sheet2.xml"), in workbook order."""
        workbook = ElementTree.fromstring(self.parts["xl/workbook.xml"])
        targets = self.relationships("xl/workbook.xml")
        result = {}
        for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
            rel_id = sheet.get(f"{{{REL_NS}}}id")
            if rel_id in targets:
                result[sheet.get("name", "")] = targets[rel_id]
        return result

    def relationships(self, part: str) -> dict[str, str]:
        """Relationship id → absolute part name for the relationships of ``part``."""
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        if rels_name not in self.parts:
            return {}
        rels = ElementTree.fromstring(self.parts[rels_name])
        result = {}
        for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            absolute = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            result[rel.get("Id", "")] = absolute
        return result
