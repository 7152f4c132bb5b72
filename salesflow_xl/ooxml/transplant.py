"""Replacing whole worksheets of a package with the same-named worksheets of another package.

A *donor* package (a small workbook built for the purpose) gives each sheet's XML and every part
it relates to — a drawing, its charts — which take the place of the target's sheet and of the
parts the old sheet related to. Part names are reused where the roles match (the third chart
goes where the third chart was) and fresh ones are taken otherwise; parts the old sheet alone
used are removed; relationships and ``[Content_Types].xml`` follow. The cell formats the donor
sheets use are imported into the target's styles
(:func:`~salesflow_xl.ooxml.styles.import_formats`), shared strings become inline strings, and
the donor's sheet-level defined names (print titles) are carried over. The target's view of
each sheet (``sheetViews``: selected cell, zoom, which tab is selected) and its protection are
kept; a part the old sheet shared with another sheet (a picture) is neither reused nor removed;
sheets with Excel tables are refused (their names and ids would need renumbering). Every other
part stays byte for byte.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.ooxml import sheetxml, xstring
from salesflow_xl.ooxml.package import MAIN_NS, Package
from salesflow_xl.ooxml.styles import STYLES, import_formats

CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"

_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(?:c|row)\s[^>]*>")
_COLUMN = re.compile(rb"<(?:\w+:)?col\s[^>]*>")
_RULE = re.compile(rb"<(?:\w+:)?cfRule\s[^>]*>")
_S = re.compile(rb'(\ss=")(\d+)(")')
_STYLE = re.compile(rb'(\sstyle=")(\d+)(")')
_DXF = re.compile(rb'(\sdxfId=")(\d+)(")')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_DEFAULT = re.compile(rb"<(?:\w+:)?Default\b[^>]*>")
_DEFINED_NAME = re.compile(
    rb"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>|<(?:\w+:)?definedName\b[^>]*/>",
    re.S,
)
#: The elements of the target's old sheet that stay: (tag, the end tag a kept element goes
#: after when the new sheet has none). Everything else of the sheet comes from the donor.
_KEPT: tuple[tuple[bytes, bytes | None], ...] = (
    (b"sheetViews", None),
    (b"sheetProtection", b"</sheetData>"),
)
TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


class TransplantError(SalesflowError):
    """A sheet cannot be replaced (the package lacks it, or a part it needs)."""


def rels_name(part: str) -> str:
    """The relationships part of ``part`` ("xl/_rels/workbook.xml.rels")."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def transplant_sheets(target: Package, donor: Package, sheets: Sequence[str]) -> None:
    """Replace the worksheets named ``sheets`` of ``target`` (which must have them, as must
    ``donor``) and the parts they relate to with ``donor``'s, as the module describes."""
    target_sheets, donor_sheets = target.sheet_parts(), donor.sheet_parts()
    for sheet in sheets:
        for package, parts in ((target, target_sheets), (donor, donor_sheets)):
            if sheet not in parts:
                raise TransplantError(f"{package.source} has no sheet {sheet!r}")
    given = _closure(donor, [donor_sheets[s] for s in sheets])
    if CONTENT_TYPES in donor:
        types = donor.read(CONTENT_TYPES)
        if any(_content_type(types, part) == TABLE_TYPE for part in given):
            raise TransplantError("sheets with Excel tables cannot be transplanted")
    formats, differential = _import_styles(target, donor, [donor_sheets[s] for s in sheets])
    replaced = [target_sheets[s] for s in sheets]
    old = _closure(target, replaced)
    shared = _referenced(target, skip=set(old) | set(replaced))  # a picture used elsewhere too
    names = {donor_sheets[s]: target_sheets[s] for s in sheets}
    free = [p for p in old if p not in shared]
    names.update(_assign([p for p in given if p not in names], free, set(target.names)))
    for sheet in sheets:
        part = donor_sheets[sheet]
        xml = _restyle(donor.read(part), formats, differential)
        xml = _inline_strings(xml, donor.shared_strings())
        target.replace(names[part], _keep(xml, target.read(names[part])))
    for part in given:
        _put(target, names[part], donor.read(part), after=_last_of(target, names, given, part))
    for part in list(given) + [donor_sheets[s] for s in sheets]:
        _put_rels(target, donor, part, names)
    removed = _remove_orphans(target, [p for p in old if p not in set(names.values())])
    _content_types(target, donor, names, removed)
    _defined_names(target, donor, sheets)
    drop_calc_chain(target)


#: Excel's calculation chain: every formula cell, in the order Excel last computed them.
CALC_CHAIN = "xl/calcChain.xml"


def drop_calc_chain(package: Package) -> None:
    """Remove Excel's calculation chain, with its relationship and content type. Once formula
    cells move or go, a chain that still lists them makes Excel "repair" the file; without
    one, Excel builds it anew when it next calculates (as every writer but Excel does)."""
    if CALC_CHAIN not in package:
        return
    package.remove(CALC_CHAIN)
    rels = rels_name(WORKBOOK)
    if rels in package:

        def drop(match: re.Match[bytes]) -> bytes:
            target = _attribute(match.group(0), b"Target") or ""
            return b"" if posixpath.basename(target) == "calcChain.xml" else match.group(0)

        package.replace(rels, _RELATIONSHIP.sub(drop, package.read(rels)))
    if CONTENT_TYPES in package:
        types = _without_overrides(package.read(CONTENT_TYPES), [CALC_CHAIN])
        package.replace(CONTENT_TYPES, types)


# -- styles and strings ---------------------------------------------------------------------


def _import_styles(
    target: Package, donor: Package, parts: Iterable[str]
) -> tuple[dict[int, int], dict[int, int]]:
    """Import the cell and differential formats the donor's sheets use into the target."""
    used: set[int] = set()
    used_dxfs: set[int] = set()
    for part in parts:
        xml = donor.read(part)
        for tag in _CELL_OR_ROW.findall(xml):
            used.update(int(m.group(2)) for m in _S.finditer(tag))
        for tag in _COLUMN.findall(xml):
            used.update(int(m.group(2)) for m in _STYLE.finditer(tag))
        for tag in _RULE.findall(xml):
            used_dxfs.update(int(m.group(2)) for m in _DXF.finditer(tag))
    if not used and not used_dxfs:
        return {}, {}
    if STYLES not in target or STYLES not in donor:
        raise TransplantError(f"{target.source} has no styles part ({STYLES})")
    try:
        styles, formats, differential = import_formats(
            target.read(STYLES), donor.read(STYLES), used, used_dxfs
        )
    except ValueError as error:
        raise TransplantError(
            f"{target.source}: its cell formats cannot be read: {error}"
        ) from error
    target.replace(STYLES, styles)
    return formats, differential


def _restyle(xml: bytes, formats: dict[int, int], differential: dict[int, int]) -> bytes:
    """Sheet XML with cell, row and column formats and conditional formats' dxfs renumbered."""

    def renumber(
        pattern: re.Pattern[bytes], mapping: dict[int, int]
    ) -> Callable[[re.Match[bytes]], bytes]:
        def tag(match: re.Match[bytes]) -> bytes:
            return pattern.sub(
                lambda m: m.group(1) + b"%d" % mapping[int(m.group(2))] + m.group(3),
                match.group(0),
            )

        return tag

    xml = _CELL_OR_ROW.sub(renumber(_S, formats), xml)
    xml = _COLUMN.sub(renumber(_STYLE, formats), xml)
    return _RULE.sub(renumber(_DXF, differential), xml)


def _inline_strings(xml: bytes, strings: Sequence[str]) -> bytes:
    """Sheet XML whose shared-string cells hold their text inline (the donor's string table
    does not travel with the sheet)."""
    if b't="s"' not in xml:
        return xml

    def inline(match: re.Match[bytes]) -> bytes:
        attrs, body = match.group("attrs"), match.group("body") or b""
        kind = sheetxml.TYPE.search(attrs)
        if kind is None or kind.group(1) != b"s" or b"<f" in body:
            return match.group(0)
        value = sheetxml.stored_value(attrs, body, strings)
        text = escape(xstring.encode(str(value))).encode()
        attrs = sheetxml.TYPE.sub(b"", attrs) + b' t="inlineStr"'
        return b"<c" + attrs + b'><is><t xml:space="preserve">' + text + b"</t></is></c>"

    return sheetxml.CELL.sub(inline, xml)


def _keep(xml: bytes, old: bytes) -> bytes:
    """The new sheet XML with the old sheet's elements of :data:`_KEPT` (the user's view and
    protection): in place of the new sheet's, or after the element the schema puts first."""
    for tag, after in _KEPT:
        pattern = re.compile(
            rb"<" + tag + rb"\b[^>]*?/>|<" + tag + rb"\b[^>]*>.*?</" + tag + rb">", re.S
        )
        kept, new = pattern.search(old), pattern.search(xml)
        if kept is None:
            continue
        if new is not None:
            xml = xml[: new.start()] + kept.group(0) + xml[new.end() :]
        elif after is not None and after in xml:
            at = xml.index(after) + len(after)
            xml = xml[:at] + kept.group(0) + xml[at:]
    return xml


# -- parts and relationships -----------------------------------------------------------------


def _closure(package: Package, parts: Iterable[str]) -> list[str]:
    """The parts reachable from ``parts`` through relationships (not ``parts`` themselves),
    breadth first."""
    start = list(parts)
    seen, queue, found = set(start), list(start), []
    while queue:
        part = queue.pop(0)
        for name in package.relationships(part).values():
            if name in package and name not in seen:
                seen.add(name)
                found.append(name)
                queue.append(name)
    return found


def _role(part: str) -> tuple[str, str, str]:
    """(folder, name without its number, extension): "xl/charts/chart3.xml" → chart."""
    folder, name = posixpath.split(part)
    stem, extension = posixpath.splitext(name)
    return folder, stem.rstrip("0123456789"), extension


def _assign(parts: Sequence[str], old: Sequence[str], taken: set[str]) -> dict[str, str]:
    """A target name for each donor part: an old part of the same role, in order, else the
    first free name of that role."""
    free, names = list(old), {}
    for part in parts:
        same = next((o for o in free if _role(o) == _role(part)), None)
        if same is not None:
            free.remove(same)
            names[part] = same
            continue
        folder, stem, extension = _role(part)
        number = 1
        while posixpath.join(folder, f"{stem}{number}{extension}") in taken:
            number += 1
        names[part] = posixpath.join(folder, f"{stem}{number}{extension}")
        taken.add(names[part])
    return names


def _last_of(target: Package, names: dict[str, str], given: Sequence[str], part: str) -> str:
    """Where a new part goes: after the part placed before it, or its sheet."""
    earlier = [names[p] for p in given[: given.index(part)] if names[p] in target]
    return earlier[-1] if earlier else next(iter(names.values()))


def _put(target: Package, name: str, content: bytes, after: str) -> None:
    if name in target:
        target.replace(name, content)
    else:
        target.add(name, content, after=after)


def _put_rels(target: Package, donor: Package, part: str, names: dict[str, str]) -> None:
    """The donor part's relationships, pointing at the target's names, as the relationships of
    its target part (an old relationships part is dropped when the donor part has none)."""
    source, name = rels_name(part), names[part]
    if source not in donor:
        if rels_name(name) in target:
            target.remove(rels_name(name))
        return
    folder = posixpath.dirname(part)

    def retarget(match: re.Match[bytes]) -> bytes:
        element = match.group(0)
        if b'TargetMode="External"' in element:
            return element
        found = re.search(rb'\sTarget="([^"]*)"', element)
        if found is None:
            return element
        text = found.group(1).decode()
        absolute = (
            text.lstrip("/")
            if text.startswith("/")
            else posixpath.normpath(posixpath.join(folder, text))
        )
        if absolute not in names:
            return element
        moved = names[absolute]
        new = (
            "/" + moved
            if text.startswith("/")
            else posixpath.relpath(moved, posixpath.dirname(name))
        )
        return element[: found.start(1)] + escape(new).encode() + element[found.end(1) :]

    _put(target, rels_name(name), _RELATIONSHIP.sub(retarget, donor.read(source)), after=name)


def _referenced(package: Package, skip: set[str]) -> set[str]:
    """The parts some relationship points at, but for the relationships of the parts ``skip``."""
    referenced: set[str] = set()
    for rels in (n for n in package.names if n.endswith(".rels")):
        folder = posixpath.dirname(posixpath.dirname(rels))
        owner = posixpath.join(folder, posixpath.basename(rels)[: -len(".rels")])
        if owner not in skip:
            referenced.update(package.relationships(owner).values())
    return referenced


def _remove_orphans(target: Package, candidates: Sequence[str]) -> list[str]:
    """Remove the candidates no relationship of the package points at any more (and their
    relationships parts), repeating while a removal frees others; returns the removed."""
    removed: list[str] = []
    while True:
        referenced = _referenced(target, skip=set(removed))
        orphans = [c for c in candidates if c not in referenced and c not in removed]
        if not orphans:
            return removed
        for orphan in orphans:
            target.remove(orphan)
            if rels_name(orphan) in target:
                target.remove(rels_name(orphan))
            removed.append(orphan)


# -- content types and defined names ----------------------------------------------------------


def _attribute(element: bytes, name: bytes) -> str | None:
    found = re.search(rb"\s" + name + rb'="([^"]*)"', element)
    return found.group(1).decode() if found else None


def _content_type(types: bytes, part: str) -> str | None:
    """The content type ``[Content_Types].xml`` gives ``part``."""
    for element in _OVERRIDE.findall(types):
        if (_attribute(element, b"PartName") or "").lower() == "/" + part.lower():
            return _attribute(element, b"ContentType")
    extension = posixpath.splitext(part)[1].lstrip(".").lower()
    for element in _DEFAULT.findall(types):
        if (_attribute(element, b"Extension") or "").lower() == extension:
            return _attribute(element, b"ContentType")
    return None


def _without_overrides(types: bytes, parts: Iterable[str]) -> bytes:
    """Content types without the overrides of ``parts``."""
    gone = {"/" + p.lower() for p in parts}

    def drop(match: re.Match[bytes]) -> bytes:
        name = (_attribute(match.group(0), b"PartName") or "").lower()
        return b"" if name in gone else match.group(0)

    return _OVERRIDE.sub(drop, types)


def _content_types(
    target: Package, donor: Package, names: dict[str, str], removed: Sequence[str]
) -> None:
    """Overrides dropped for removed parts and set for new parts whose type differs."""
    if CONTENT_TYPES not in target or CONTENT_TYPES not in donor:
        return
    types, given = target.read(CONTENT_TYPES), donor.read(CONTENT_TYPES)
    types = _without_overrides(types, removed)
    for part, name in names.items():
        wanted = _content_type(given, part)
        if wanted is None or _content_type(types, name) == wanted:
            continue
        types = _without_overrides(types, [name])
        element = f'<Override PartName="/{escape(name)}" ContentType="{escape(wanted)}"/>'
        closing = types.rindex(b"</Types>")
        types = types[:closing] + element.encode() + types[closing:]
    target.replace(CONTENT_TYPES, types)


def _sheet_names(workbook: bytes) -> list[str]:
    return [s.get("name", "") for s in ElementTree.fromstring(workbook).iter(f"{{{MAIN_NS}}}sheet")]


def _defined_names(target: Package, donor: Package, sheets: Sequence[str]) -> None:
    """The donor's names local to the transplanted sheets (print titles, print areas), set in
    the target for the same sheets; the target's other names stay."""
    given, xml = donor.read(WORKBOOK), target.read(WORKBOOK)
    donor_order, target_order = _sheet_names(given), _sheet_names(xml)
    for match in _DEFINED_NAME.finditer(given):
        element = match.group(0)
        local = _attribute(element, b"localSheetId")
        if local is None or not local.isdigit() or int(local) >= len(donor_order):
            continue
        sheet = donor_order[int(local)]
        if sheet not in sheets or sheet not in target_order:
            continue
        index = str(target_order.index(sheet)).encode()
        wanted = re.sub(rb'(\slocalSheetId=")\d+(")', rb"\g<1>" + index + rb"\g<2>", element)
        name = (_attribute(element, b"name") or "").lower()
        existing = next(
            (
                m
                for m in _DEFINED_NAME.finditer(xml)
                if (_attribute(m.group(0), b"name") or "").lower() == name
                and _attribute(m.group(0), b"localSheetId") == index.decode()
            ),
            None,
        )
        if existing is not None:
            xml = xml[: existing.start()] + wanted + xml[existing.end() :]
        elif re.search(rb"</(?:\w+:)?definedNames>", xml):
            closing = re.search(rb"</(?:\w+:)?definedNames>", xml)
            assert closing is not None
            xml = xml[: closing.start()] + wanted + xml[closing.start() :]
        else:
            sheets_end = re.search(rb"</(?:\w+:)?sheets>", xml)
            if sheets_end is None:
                continue
            block = b"<definedNames>" + wanted + b"</definedNames>"
            xml = xml[: sheets_end.end()] + block + xml[sheets_end.end() :]
    target.replace(WORKBOOK, xml)
