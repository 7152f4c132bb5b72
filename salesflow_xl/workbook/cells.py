"""Converting and checking cell values as the reader does: a cell as a spreadsheet stores it
(text, number, bool, datetime, blank) becomes the value of a record's field, or a
:class:`~salesflow_xl.workbook.problems.Problem` that says what was expected."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from salesflow_xl.core import consent
from salesflow_xl.core.i18n import _
from salesflow_xl.core.limits import FIRST_DAY, LAST_DAY, MAX_AMOUNT, MAX_CELL_TEXT
from salesflow_xl.core.model import Lists, Pipeline
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.problems import Problem
from salesflow_xl.workbook.schema import Column


class _Lookup(dict[Any, Any]):
    """Stripped text → the value to store for texts the column accepts as they are; None for
    anything else (which then takes the checking path). Plain lookups, memoised."""

    def __init__(self, accept: Callable[[str], str | None]) -> None:
        super().__init__()
        self.accept = accept

    def __missing__(self, key: Any) -> str | None:
        result = self.accept(key) if isinstance(key, str) and key else None
        self[key] = result
        return result


def _text_cleaner(column: Column, lists: Lists, pipeline: Pipeline | None) -> _Lookup:
    """The :class:`_Lookup` of a text column: a list's values, a stage's canonical name, or any
    non-blank text."""
    if column.choices in schema.LISTS:
        allowed = set(getattr(lists, column.choices))
        return _Lookup(lambda text: text if text in allowed else None)
    if column.choices == "stages" and pipeline is not None:

        def stage_name(text: str) -> str | None:
            stage = pipeline.find(text)
            return stage.name if stage else None

        return _Lookup(stage_name)
    if column.choices == "consent":
        return _Lookup(consent_word)
    return _Lookup(lambda text: text)


def consent_word(text: str) -> str | None:
    """A consent cell's value as the workbook's word for it (None: no consent value)."""
    code = consent.code_of(text)
    return None if code is None else consent.word(code)


#: Python's dates end with 9999-12-31, as Excel's do: only the first day needs a test
FIRST_MOMENT = datetime.combine(FIRST_DAY, datetime.min.time())


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert_column(
    problems: list[Problem],
    sheet: str,
    numbers: list[int],
    column: Column,
    cells: list[Any],
    lists: Lists,
    pipeline: Pipeline | None,
) -> list[Any]:
    """A column's cells converted: the common clean cases inline, the rest (blanks where a
    value is required, wrong types, values out of range or not in a list) through
    :func:`convert_cell`, which records the problem. Same results as :func:`convert_cell` per cell
    (a property test holds them equal)."""
    kind = column.kind
    pairs = zip(numbers, cells, strict=True)

    def other(row: int, value: Any) -> Any:
        """A cell the fast test did not accept: blank (fine where optional) or checked."""
        if not column.required and blank(value):
            return None
        return convert_cell(problems, sheet, row, column, value, lists, pipeline)

    if kind == "text" and not column.choices:
        return [
            text
            if v.__class__ is str and (text := v.strip()) and len(text) <= MAX_CELL_TEXT
            else other(n, v)
            for n, v in pairs
        ]
    if kind == "text":
        clean = _text_cleaner(column, lists, pipeline)
        return [
            out
            if (out := clean[v.strip() if v.__class__ is str else None]) is not None
            else other(n, v)
            for n, v in pairs
        ]
    if kind == "date":
        return [
            v
            if v.__class__ is date and v >= FIRST_DAY
            else v.date()
            if v.__class__ is datetime and v >= FIRST_MOMENT
            else other(n, v)
            for n, v in pairs
        ]
    if kind == "timestamp":
        return [
            v if v.__class__ is datetime and v >= FIRST_MOMENT else other(n, v) for n, v in pairs
        ]
    # inf and NaN fail these comparisons and are checked by convert_cell
    top = {"percent": 1.0, "money": MAX_AMOUNT}.get(kind, sys.float_info.max)
    whole = kind == "integer"
    return [
        float(v)
        if (v.__class__ is float or v.__class__ is int)
        and 0 <= v <= top
        and (not whole or float(v).is_integer())
        else other(n, v)
        for n, v in pairs
    ]


def convert_cell(
    problems: list[Problem],
    sheet: str,
    row: int,
    column: Column,
    value: Any,
    lists: Lists,
    pipeline: Pipeline | None,
) -> Any:
    """``value`` (a cell as a spreadsheet stores it) as the field's value; None and a problem
    appended to ``problems`` when it is not what ``column`` expects."""
    if blank(value):
        if column.required:
            problems.append(
                Problem(sheet, row, column.header, None, _("a value (this column is required)"))
            )
        return None
    kind = column.kind
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            value = str(int(value))
        text = str(value).strip()
        if len(text) > MAX_CELL_TEXT:
            expected = _("text of at most {limit} characters (Excel's limit)").format(
                limit=f"{MAX_CELL_TEXT:,}"
            )
            problems.append(Problem(sheet, row, column.header, text, expected))
            return None
        return _choice(problems, sheet, row, column, text, lists, pipeline)
    if kind in ("date", "timestamp"):
        if not isinstance(value, date):
            problems.append(Problem(sheet, row, column.header, value, _("a date")))
            return None
        day = value.date() if isinstance(value, datetime) else value
        if not FIRST_DAY <= day <= LAST_DAY:
            expected = _("a date from {first} to {last}").format(first=FIRST_DAY, last=LAST_DAY)
            problems.append(Problem(sheet, row, column.header, value, expected))
            return None
        if isinstance(value, datetime):
            return value if kind == "timestamp" else day
        return datetime.combine(value, datetime.min.time()) if kind == "timestamp" else value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(Problem(sheet, row, column.header, value, _("a number")))
        return None
    number = float(value)
    if kind == "percent" and not 0 <= number <= 1:
        expected = _("a percentage from 0 % to 100 %")
        problems.append(Problem(sheet, row, column.header, value, expected))
        return None
    if number < 0:
        problems.append(Problem(sheet, row, column.header, value, _("a number ≥ 0")))
        return None
    if kind == "integer" and not number.is_integer():
        problems.append(Problem(sheet, row, column.header, value, _("a whole number")))
        return None
    if kind == "money" and number > MAX_AMOUNT:
        expected = _("an amount up to {limit}").format(limit=f"{MAX_AMOUNT:,.0f}")
        problems.append(Problem(sheet, row, column.header, value, expected))
        return None
    return number


def _choice(
    problems: list[Problem],
    sheet: str,
    row: int,
    column: Column,
    text: str,
    lists: Lists,
    pipeline: Pipeline | None,
) -> str:
    if column.choices in schema.LISTS:
        allowed: tuple[str, ...] = getattr(lists, column.choices)
        where = _("the {list} list on the {sheet} sheet").format(
            list=repr(schema.LISTS[column.choices].header), sheet=schema.LISTS_SHEET
        )
    elif column.choices == "stages" and pipeline is not None:
        stage = pipeline.find(text)
        if stage is None:
            expected = _("one of the stages: {stages}").format(stages=", ".join(pipeline.names))
            problems.append(Problem(sheet, row, column.header, text, expected))
            return text
        return stage.name
    elif column.choices == "consent":
        found = consent_word(text)
        if found is None:
            words = ", ".join(consent.word(code) for code in consent.WORDS)
            expected = _("one of {values} (or blank: unknown)").format(values=words)
            problems.append(Problem(sheet, row, column.header, text, expected))
            return text
        return found
    else:
        return text
    if text not in allowed:
        expected = _("a value from {where}").format(where=where)
        problems.append(Problem(sheet, row, column.header, text, expected))
    return text
