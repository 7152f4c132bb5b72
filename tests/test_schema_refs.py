"""Only the schema spells a structured reference: every other workbook module builds
``tblDeals[Value]`` with ``schema.DEALS.ref("value")`` and the like, so renaming a table or a
header in the schema changes every formula."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from salesflow_xl.workbook import schema

WORKBOOK = Path(__file__).parent.parent / "salesflow_xl" / "workbook"
#: The schema modules: the one place that spells tables, headers and names.
SCHEMA_MODULES = {"schema.py", "schema_spec.py", "schema_tables.py"}
MODULES = sorted(p for p in WORKBOOK.glob("*.py") if p.name not in SCHEMA_MODULES)
#: A table name followed by "[": tblDeals[Value], tblDeals[[#This Row],[Value]].
STRUCTURED_REFERENCE = re.compile(r"\btbl[A-Z]\w*\[")


def hand_spelled_references(source: str) -> list[str]:
    """Every string constant (f-string parts included) of ``source`` that spells a
    structured reference, with its line."""
    return [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and STRUCTURED_REFERENCE.search(node.value)
    ]


def test_the_check_finds_hand_spelled_references() -> None:
    source = """
value = "=SUMIFS(tblDeals[Value],tblDeals[Status],\\"open\\")"
row = f"=INDEX(tblStages[Stage],{1})"
fine = f"=SUMIFS({schema.DEALS.ref('value')})"
doc = "tblDeals is the name of the Deals table"
"""
    assert [p.split(":")[0] for p in hand_spelled_references(source)] == ["line 2", "line 3"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_workbook_modules_take_references_from_the_schema(path: Path) -> None:
    assert hand_spelled_references(path.read_text(encoding="utf-8")) == []


def test_references_are_built_from_the_schema() -> None:
    assert schema.DEALS.ref("value") == "tblDeals[Value]"
    assert schema.DEALS.ref("Weighted value") == "tblDeals[Weighted value]"
    assert schema.DEALS.this_row("value") == "tblDeals[[#This Row],[Value]]"
    assert schema.DEALS.letter("id") == "A"
    assert schema.LISTS["channels"].ref == "tblChannels[Channel]"
    assert schema.TABLE_CHOICES["stages"].ref == "tblStages[Stage]"


def test_a_column_is_named_by_its_field_where_it_has_one() -> None:
    with pytest.raises(KeyError, match="tblDeals has no column for 'Value'"):
        schema.DEALS.ref("Value")
    with pytest.raises(KeyError, match="tblDeals has no column for 'nothing'"):
        schema.DEALS.ref("nothing")
