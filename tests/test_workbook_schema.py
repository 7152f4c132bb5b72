"""The schema is consistent with the records and uses only portable formulas."""

from __future__ import annotations

import re

import pytest

from salesflow_xl.core.dataset import RECORD_TYPES, column_kinds
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.limits import MAX_FORMULA
from salesflow_xl.workbook import schema

# functions Excel 2016 or LibreOffice 7.4 lacks or computes differently, and volatile ones
FORBIDDEN = {
    "XLOOKUP",
    "FILTER",
    "UNIQUE",
    "SORT",
    "SORTBY",
    "LET",
    "OFFSET",
    "INDIRECT",
    "DATEDIF",
    "NOW",
    "MINIFS",
    "MAXIFS",
    "IFS",
    "SWITCH",
    "TEXTJOIN",
    "CONCAT",
    "AGGREGATE",
    "SEQUENCE",
    "LAMBDA",
}
ALLOWED = {
    "COUNTIFS",
    "SUMIFS",
    "AVERAGEIFS",
    "SUMPRODUCT",
    "INDEX",
    "MATCH",
    "IF",
    "IFERROR",
    "SUBSTITUTE",
    "MAX",
    "ISNUMBER",
    "AND",
    "N",
}
SPECS = list(schema.all_tables())


def all_formulas() -> list[tuple[str, str]]:
    found = [
        (f"{spec.sheet}!{c.header}", schema.formula_of(spec, c))
        for spec in SPECS
        for c in spec.computed
    ]
    found += [(f"Settings!{s.name}", s.formula) for s in schema.SETTINGS if s.formula]
    return found


@pytest.mark.parametrize("key", list(RECORD_TYPES))
def test_every_record_field_has_exactly_one_column(key) -> None:
    spec = schema.TABLES[key]
    fields = [c.field for c in spec.columns if c.field]
    assert sorted(fields) == sorted(column_kinds(RECORD_TYPES[key]))


def test_column_kinds_match_field_kinds() -> None:
    assert schema.field_kind_mismatches() == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.sheet)
def test_headers_are_unique_and_safe_for_structured_references(spec) -> None:
    headers = [c.header for c in spec.columns]
    assert len(headers) == len(set(headers))
    for header in headers:
        assert not re.search(r"[\[\]'#]", header), header


def test_sheet_and_table_names_are_unique() -> None:
    assert len(set(schema.SHEET_ORDER)) == len(schema.SHEET_ORDER)
    names = [s.name for s in SPECS] + [s.table for s in schema.LISTS.values()]
    assert len(names) == len(set(names))


def test_structured_references_name_real_tables_and_columns() -> None:
    columns = {spec.name: {c.header for c in spec.columns} for spec in SPECS}
    columns.update({s.table: {s.header} for s in schema.LISTS.values()})
    problems = []
    for where, formula in all_formulas():
        for table, column in re.findall(r"(tbl\w+)\[([^\[\]]+)\]", formula):
            if table not in columns or column not in columns[table]:
                problems.append(f"{where}: {table}[{column}]")
        for table, column in re.findall(r"(tbl\w+)\[\[#This Row\],\[([^\]]+)\]\]", formula):
            if column not in columns[table]:
                problems.append(f"{where}: this row's {column}")
    assert problems == []


def test_only_portable_functions() -> None:
    used = {name for _, formula in all_formulas() for name in re.findall(r"([A-Z]+)\(", formula)}
    assert used & FORBIDDEN == set()
    assert used <= ALLOWED | {"TODAY"}, used - ALLOWED


def test_today_is_read_in_one_cell_only() -> None:
    """The calendar enters through the AsOf setting alone (blank as-of date: today); every other
    formula reads AsOf, so a pinned date pins every figure."""
    where = [w for w, f in all_formulas() if "TODAY(" in f]
    assert where == [f"Settings!{schema.AS_OF}"]


def test_no_whole_column_references() -> None:
    assert [w for w, f in all_formulas() if re.search(r"\b[A-Z]{1,3}:[A-Z]{1,3}\b", f)] == []


def test_short_form_expands_to_the_full_form() -> None:
    assert (
        schema.expand("=[@Value]*[@Win chance]", "tblDeals")
        == "=tblDeals[[#This Row],[Value]]*tblDeals[[#This Row],[Win chance]]"
    )


def test_named_settings_are_used_by_name() -> None:
    names = {s.name for s in schema.SETTINGS}
    used = {n for _, f in all_formulas() for n in re.findall(r"\b([A-Z][a-z]\w+)\b", f)}
    assert {"AsOf", "GrossMargin", "RetentionMonths", "MonthlyDiscountRate"} <= used & names


def test_every_formula_fits_in_a_cell_and_a_longer_one_is_refused() -> None:
    assert max(len(f) for _, f in all_formulas()) < MAX_FORMULA // 4
    long = schema.Column("Long", formula="=" + "+".join(["[@Value]"] * 400))
    with pytest.raises(
        SalesflowError,
        match=r"'Long' would need a formula of [\d,]+ characters; Excel takes at most 8,192",
    ):
        schema.formula_of(schema.DEALS, long)


def test_no_per_row_formula_reads_the_stage_log() -> None:
    """A formula in every deal row that looked through the whole stage log made recalculation
    rows × log rows: "Furthest step" is a value SalesFlow derives from the log instead, and the
    Dashboard counts it."""
    outside = [(w, f) for w, f in all_formulas() if not w.startswith("StageLog!")]
    assert [w for w, f in outside if "tblStageLog[" in f] == []
    furthest = schema.DEALS.column("Furthest step")
    assert furthest.derived
    assert furthest.formula is None
    assert schema.DEALS.derived == (furthest,)
    assert furthest not in schema.DEALS.inputs
    assert "refresh after editing the StageLog by hand" in furthest.note


def test_a_derived_column_has_no_formula_or_field() -> None:
    with pytest.raises(ValueError, match="derived column"):
        schema.Column("Bad", formula="=1", derived=True)
