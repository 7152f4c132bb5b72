"""Table cells as XML, exactly as openpyxl writes them, for the rows the template streams into the
file (:mod:`~salesflow_xl.workbook.template_stream`): values typed as openpyxl types them
(text inline, numbers to 16 significant digits, dates as serial numbers), and formula cells
with their cached values as :func:`~salesflow_xl.ooxml.sheetxml.set_cached_values` stores them.
Whole columns of numbers and dates are converted at once. Layer: the SalesFlow workbook (imports
``salesflow_xl.core``, ``salesflow_xl.ooxml`` and ``salesflow_xl.workbook`` only, with
openpyxl).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError

from salesflow_xl.core.excel_errors import NUM, ExcelError
from salesflow_xl.ooxml import xstring
from salesflow_xl.ooxml.sheetxml import CellValue
from salesflow_xl.workbook.schema import Column
from salesflow_xl.workbook.template_tables import table_value

#: Excel's longest cell text; openpyxl cuts longer text there.
MAX_TEXT = 32_767
#: The serial number of 1970-01-01 (numpy's epoch) in Excel's 1900 date system.
UNIX_EPOCH_SERIAL = 25_569
#: Up to this serial number (1 March 1900) Excel counts a 29 February 1900 that never was:
#: such dates take openpyxl's own conversion.
LEAP_BUG_SERIAL = 61
_MICROSECONDS_PER_DAY = 86_400_000_000


def escape(text: str) -> str:
    """Element text as openpyxl's XML writer escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def value_cell(ref: str, value: Any, style: str) -> str:
    """The ``<c>`` element openpyxl writes for ``value`` (as
    :func:`~salesflow_xl.workbook.template_tables.table_value` gives it) in cell ``ref`` with
    ``style`` (an ``s`` attribute or ""); text is always text, as the template writes it (see
    :func:`~salesflow_xl.workbook.template_tables.as_text`). "" for a blank cell without a
    format: openpyxl leaves it out."""
    if value is None:
        return f'<c r="{ref}"{style} t="n" />' if style else ""
    if isinstance(value, str):
        value = value[:MAX_TEXT]
        if ILLEGAL_CHARACTERS_RE.search(value):
            raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
        if not value:
            return f'<c r="{ref}"{style} t="inlineStr" />'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):  # a date or timestamp: its serial number
        value = to_excel(value)
    if isinstance(value, int | float):
        return number_cell(ref, number_text(value), style)
    raise ValueError(f"{ref}: {value!r} cannot be written to a cell")


def number_cell(ref: str, text: str, style: str) -> str:
    """The ``<c>`` element of a number (or date) cell whose value openpyxl writes as ``text``."""
    if not text:
        return f'<c r="{ref}"{style} t="n"><v /></c>'
    return f'<c r="{ref}"{style} t="n"><v>{text}</v></c>'


def number_text(value: float) -> str:
    """A number as openpyxl writes it: 16 significant digits, "" for infinity."""
    return f"{value:.16g}" if math.isfinite(value) else ""


def numeric(values: pd.Series) -> bool:
    """Whether ``values`` is a numpy column of numbers or (time-zone-less) timestamps: every
    value but the missing ones becomes a cell of one type."""
    return values.dtype.kind in "fiuM" and getattr(values.dtype, "tz", None) is None


def number_texts(values: pd.Series, column: Column) -> list[str | None] | None:
    """:func:`number_text` of each value of a :func:`numeric` column (dates and timestamps as
    their serial numbers, as the cell of ``column`` holds them); None for a missing value.
    None when ``values`` is not numeric."""
    if not numeric(values):
        return None
    if values.dtype.kind in "fiu":
        return [number_text(v) if v == v else None for v in values.tolist()]  # NaN: blank
    stamps = values.to_numpy(dtype="datetime64[us]")
    missing = np.isnat(stamps)
    days, rest = np.divmod(stamps.astype(np.int64), _MICROSECONDS_PER_DAY)
    days += UNIX_EPOCH_SERIAL
    if (days[~missing] < LEAP_BUG_SERIAL).any():
        return [
            None if stamp is pd.NaT else number_text(to_excel(table_value(stamp, column)))
            for stamp in values.tolist()
        ]
    if column.kind == "timestamp":
        # to_excel's arithmetic: days + (whole seconds + microseconds / 10**6) / 86400
        seconds, micros = np.divmod(rest, 1_000_000)
        serials = days + (seconds + micros / 10**6) / 86400
    else:  # the cell holds the date alone
        serials = days.astype(np.float64)
    return [
        None if gap else f"{serial:.16g}"
        for serial, gap in zip(serials.tolist(), missing.tolist(), strict=True)
    ]


def formula_cell(ref: str, style: str, formula: str, value: CellValue | None, cached: bool) -> str:
    """The ``<c>`` element of a formula cell: ``formula`` (escaped, without "="), and
    ``value`` as its cached value when ``cached``; as openpyxl writes it (an empty ``<v />``)
    when not."""
    if not cached:
        return f'<c r="{ref}"{style}><f>{formula}</f><v /></c>'
    kind, element = cached_value(value)
    return f'<c r="{ref}"{style}{kind}><f>{formula}</f>{element}</c>'


def cached_value(value: CellValue) -> tuple[str, str]:
    """The ``t`` attribute ("" for a number or blank) and ``<v>`` element of a formula cell's
    cached value, as :func:`~salesflow_xl.ooxml.sheetxml.set_cached_values` writes them."""
    if value is None:
        return "", ""
    if isinstance(value, ExcelError):
        return ' t="e"', f"<v>{escape(value.text)}</v>"
    if isinstance(value, bool):
        return ' t="b"', f"<v>{int(value)}</v>"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return ' t="e"', f"<v>{NUM}</v>"
        text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
        return "", f"<v>{text}</v>"
    return ' t="str"', f"<v>{escape(xstring.encode(str(value)))}</v>"
