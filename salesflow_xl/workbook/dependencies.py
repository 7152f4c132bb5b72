"""What a workbook's figures read, and what an edit changed: the dependencies by which
only the figures whose inputs changed are computed again (:mod:`.figures`).

A table's computed columns read what their formulas reference — structured references (a whole
column, or a cell of the record's own row) and defined names (the as-of date, the margin …) —
read here from the schema's formulas, so that no list is kept by hand; the Dashboard and
Analytics read what the formulas stored on them reference. Derived columns have no formula (the
core computes them from other tables) and count as reading everything, and so does a figure
that reads one. An edit's changes are found by comparing the data before and after it, column
by column and record by record, so that no kind of change can be missed. Layer: the SalesFlow
workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and ``salesflow_xl.workbook``
only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import RECORD_TYPES, SalesData
from salesflow_xl.core.model import Settings
from salesflow_xl.ooxml import sheetxml
from salesflow_xl.ooxml.package import Package
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.schema import TableSpec

#: What a figure reads, or what changed: ("column", table key, header) a whole column, ("row",
#: table key, header) the cell of its own record (read only), ("setting", field), ("rows", table
#: key) records added, ("moved", table key) records removed or moved, ("lists",), ("layout",)
#: or ("everything",).
Ref = tuple[str, ...]
EVERYTHING: Ref = ("everything",)
LISTS: Ref = ("lists",)
LAYOUT: Ref = ("layout",)

#: Functions whose result is not a function of their arguments.
VOLATILE = frozenset({"NOW", "RAND", "RANDBETWEEN", "RANDARRAY", "OFFSET", "INDIRECT", "CELL"})


def board_sheets() -> tuple[str, str]:
    """The Dashboard's and the Analytics' names, in the language in effect."""
    return (schema.DASHBOARD_SHEET, schema.ANALYTICS_SHEET)


def column_ref(key: str, header: str) -> Ref:
    return ("column", key, header)


def setting_ref(field: str) -> Ref:
    return ("setting", field)


def rows_ref(key: str) -> Ref:
    return ("rows", key)


def moved_ref(key: str) -> Ref:
    return ("moved", key)


def _as_changed(ref: Ref) -> Ref:
    """The change that a reference reads: a row's cell changes with its column."""
    return ("column", *ref[1:]) if ref[0] == "row" else ref


# -- what a formula reads --------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"]|"")*"')
_STRUCTURED = re.compile(r"(?<![\w.])([A-Za-z_\\][\w.]*)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]")
_ITEM = re.compile(r"\[([^\[\]]*)\]")
_TOKEN = re.compile(
    r"(?<![\w.$'])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
    r"(?:(?P<cell>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(.!\[])"
    r"|(?P<function>[A-Za-z_][\w.]*)\s*\("
    r"|(?P<name>[A-Za-z_][\w.]*))"
)


@cache
def _tables() -> dict[str, TableSpec]:
    return {spec.name.casefold(): spec for spec in schema.all_tables()}


def name_references(name: str) -> frozenset[Ref]:
    """What the defined name ``name`` (a setting such as ``AsOf``) reads."""
    return _names(i18n.workbook_language()).get(name.casefold(), frozenset({EVERYTHING}))


@cache
def _names(_language: str) -> dict[str, frozenset[Ref]]:
    """Defined name (casefolded) → what it reads: settings (a computed one through its
    formula), the drop-down lists (once per language: a column's header is a reference's
    key)."""
    names: dict[str, frozenset[Ref]] = {}
    for setting in schema.SETTINGS:
        if setting.field is not None:
            names[setting.name.casefold()] = frozenset({setting_ref(setting.field)})
    for setting in schema.SETTINGS:
        if setting.formula is not None:
            names[setting.name.casefold()] = references(setting.formula, names=names)
    for spec in schema.LISTS.values():
        names[spec.name.casefold()] = frozenset({LISTS})
    for spec in schema.TABLE_CHOICES.values():
        names[spec.name.casefold()] = references(spec.ref, names=names)
    return names


def references(
    formula: str, internal: bool = False, names: Mapping[str, frozenset[Ref]] | None = None
) -> frozenset[Ref]:
    """What ``formula`` reads. Cell references count as reading everything unless
    ``internal`` (then plain ones, and those to the Dashboard or Analytics, read nothing
    outside those two sheets); so does anything not understood (an unknown table, column or
    name, a volatile function)."""
    known = _names(i18n.workbook_language()) if names is None else names
    text = _STRING.sub(" ", formula)
    found: set[Ref] = set()

    def structured(match: re.Match[str]) -> str:
        found.update(_structured(match.group(1), match.group(2)))
        return " "

    text = _STRUCTURED.sub(structured, text)
    for token in _TOKEN.finditer(text):
        sheet = token.group("sheet")
        if token.group("cell"):
            name = sheet.strip("'").replace("''", "'") if sheet else None
            if not internal or (name is not None and name not in board_sheets()):
                found.add(EVERYTHING)
        elif token.group("function"):
            function = token.group("function").upper().removeprefix("_XLFN.")
            if function == "TODAY":
                found.add(setting_ref("as_of"))
            elif function in VOLATILE:
                found.add(EVERYTHING)
        elif token.group("name").upper() not in ("TRUE", "FALSE"):
            refs = known.get(token.group("name").casefold())
            found.update({EVERYTHING} if refs is None or sheet else refs)
    return frozenset(found)


def _structured(table: str, inner: str) -> set[Ref]:
    """What ``table[inner]`` reads: the columns it names, or the whole table."""
    if table.casefold() in {spec.table.casefold() for spec in schema.LISTS.values()}:
        return {LISTS}
    spec = _tables().get(table.casefold())
    if spec is None:
        return {EVERYTHING}
    items = _ITEM.findall(inner) or ([inner] if inner.strip() else [])
    specials = {i.strip().casefold() for i in items if i.strip().startswith("#")}
    headers = [re.sub(r"'(.)", r"\1", i) for i in items if not i.strip().startswith("#")]
    whole = not headers or ":" in _ITEM.sub("", inner)
    if whole:
        return {column_ref(spec.key, c.header) for c in spec.columns} | {rows_ref(spec.key)}
    kind = "row" if specials == {"#this row"} else "column"
    by_name = {c.header.casefold(): c.header for c in spec.columns}
    found: set[Ref] = set()
    for header in headers:
        if header.casefold() not in by_name:
            return {EVERYTHING}
        found.add((kind, spec.key, by_name[header.casefold()]))
    return found


def table_references() -> dict[str, frozenset[Ref]]:
    """Table key → what its computed columns read (their schema formulas; see
    :func:`through_derived`), the columns named in the workbook's language in effect."""
    return _table_references(i18n.workbook_language())


@cache
def _table_references(_language: str) -> dict[str, frozenset[Ref]]:
    """:func:`table_references`, once per language (a column's header is a reference's key)."""
    return {
        spec.key: through_derived(
            frozenset().union(*(references(schema.formula_of(spec, c)) for c in spec.computed))
        )
        for spec in schema.all_tables()
        if spec.computed
    }


def through_derived(refs: frozenset[Ref]) -> frozenset[Ref]:
    """``refs`` where reading a derived column counts as reading everything, as the derived
    column does: the core computes such a figure from the tables the derived column sums up,
    and a sum over a table can come out a last bit different once other rows change, so the
    figure is computed again whenever anything changed, as a full recomputation would."""
    derived = {(spec.key, c.header) for spec in schema.all_tables() for c in spec.derived}
    if any(ref[0] in ("row", "column") and ref[1:] in derived for ref in refs):
        return refs | {EVERYTHING}
    return refs


def board_references(package: Package, sheets: Mapping[str, str]) -> frozenset[Ref]:
    """What the formulas stored on the Dashboard and Analytics read (``sheets``: sheet name →
    its part in ``package``)."""
    found: set[Ref] = set()
    for sheet in board_sheets():
        part = sheets.get(sheet)
        if part is None:
            continue
        for text in set(re.findall(rb"<f\b[^>]*>(.*?)</f>", package.read(part), re.S)):
            found |= references(sheetxml.unescape(text.decode()), internal=True)
    return through_derived(frozenset(found))


def triggers(refs: Iterable[Ref], changed: set[Ref]) -> set[Ref]:
    """The references among ``refs`` that read something in ``changed``."""
    if not changed:
        return set()
    if EVERYTHING in changed:
        return {EVERYTHING}
    return {ref for ref in refs if ref == EVERYTHING or _as_changed(ref) in changed}


def reads(refs: Iterable[Ref], changed: set[Ref]) -> bool:
    """Whether something ``refs`` reads is in ``changed``."""
    return bool(triggers(refs, changed))


# -- what changed ----------------------------------------------------------------------------


@dataclass
class Changed:
    """What an edit changed: ``refs`` (see :data:`Ref`), and for each table the positions of
    the records whose values changed (records added included)."""

    refs: set[Ref] = field(default_factory=set)
    records: dict[str, set[int]] = field(default_factory=dict)


def changed_inputs(
    before: SalesData,
    before_as_of: date,
    after: SalesData,
    rows: tuple[Mapping[str, Sequence[int]], Mapping[str, Sequence[int]]],
    filled: Iterable[tuple[str, str, int]] = (),
    relayout: bool = False,
) -> Changed:
    """What differs between the data ``before`` (its figures computed as of ``before_as_of``)
    and ``after``: table columns compared value by value, settings, the pipeline (the Stages
    table), the lists, the Excel rows (``rows``: before and after), the cells SalesFlow fills
    (``filled``: table key, field or model-figure key, record position) and a new layout."""
    changed = Changed()
    refs = changed.refs
    old_rows, new_rows = rows
    for key in [*RECORD_TYPES, schema.STAGES.key]:
        old_numbers, new_numbers = tuple(old_rows.get(key, ())), tuple(new_rows.get(key, ()))
        if old_numbers != new_numbers:
            refs.add(rows_ref(key))
            if new_numbers[: len(old_numbers)] != old_numbers:
                refs.add(moved_ref(key))
    for key in RECORD_TYPES:
        spec = schema.TABLES[key]
        old, new = before.table(key), after.table(key)
        if old is new:
            continue
        records = changed.records.setdefault(key, set(range(len(old), len(new))))
        shared = min(len(old), len(new))
        if len(old) > len(new) or list(old.columns) != list(new.columns):
            refs |= {column_ref(key, c.header) for c in spec.columns} | {moved_ref(key)}
            continue
        for name in new.columns:
            differs = _differing(old[name], new[name].iloc[:shared])
            if len(new) > len(old) or differs:
                try:
                    refs.add(column_ref(key, spec.column_for(name).header))
                except KeyError:
                    refs.add(EVERYTHING)
            records.update(differs)
    if before.pipeline != after.pipeline:
        refs |= {column_ref(schema.STAGES.key, c.header) for c in schema.STAGES.columns}
    refs |= _settings_changed(before.settings, before_as_of, after.settings)
    if before.lists != after.lists:
        refs.add(LISTS)
    for key, column, position in filled:
        try:
            refs.add(column_ref(key, schema.TABLES[key].column_for(column).header))
        except KeyError:
            refs.add(EVERYTHING)
        changed.records.setdefault(key, set()).add(position)
    if relayout:
        refs.add(LAYOUT)
    return changed


def _differing(old: pd.Series, new: pd.Series) -> list[int]:
    """The positions where two columns of equal length differ (blank equals blank)."""
    if old.equals(new):
        return []
    a, b = old.to_numpy(), new.to_numpy()
    if a.dtype != b.dtype:
        return list(range(len(a)))
    missing_a, missing_b = pd.isna(a), pd.isna(b)
    if a.dtype == object:
        same = np.fromiter((x == y for x, y in zip(a, b, strict=True)), bool, len(a))
    else:
        same = a == b
    return np.flatnonzero(~((same & ~missing_a & ~missing_b) | (missing_a & missing_b))).tolist()


def _settings_changed(before: Settings, before_as_of: date, after: Settings) -> set[Ref]:
    changed = {
        setting_ref(s.field)
        for s in schema.SETTINGS
        if s.field is not None
        and s.field != "as_of"
        and getattr(before, s.field) != getattr(after, s.field)
    }
    if before_as_of != after.as_of:
        changed.add(setting_ref("as_of"))
    return changed
