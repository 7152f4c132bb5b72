"""What a workbook can hold: Excel's limits and XML 1.0's character set, and the checks that
keep every value SalesFlow is asked to write inside them.

Excel: 32,767 characters per cell, 1,048,576 rows, 31 characters per sheet name, 8,192 per
formula, dates from 1900-01-01 to 9999-12-31, 15 significant digits. XML 1.0 allows tab, line
feed and carriage return among the control characters, and no lone surrogates.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import _

MAX_CELL_TEXT = 32_767
MAX_ROWS = 1_048_576
MAX_SHEET_NAME = 31
MAX_FORMULA = 8_192
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9999, 12, 31)
#: The largest amount of money a cell takes: Excel keeps 15 significant digits, so a larger
#: amount loses its cents, and a sum of a million such rows stays far from overflowing.
MAX_AMOUNT = 1e15

#: Characters that are no text a person typed: C0 controls but tab, line feed and carriage
#: return; lone surrogates (bytes that were not UTF-8); the two non-characters XML excludes.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: What a text starts with that Excel takes for a formula when it is typed (or written through
#: Excel's object model): such text is stored quote-prefixed, as if typed after an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@")


def looks_like_formula(value: object) -> bool:
    """Text that Excel would read as a formula if it were typed into a cell."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def bad_character(value: str) -> str | None:
    """Where ``value`` has a character no cell should hold, in words; None when it has none."""
    found = CONTROL.search(value)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        message = _("a lone surrogate U+{code} at character {position}")
    else:
        message = _("a control character U+{code} at character {position}")
    return message.format(code=f"{ord(found.group()):04X}", position=found.start() + 1)


def text(name: str, value: Any, max_length: int = MAX_CELL_TEXT) -> str:
    """Text a cell can hold: no control characters (tab and line breaks are fine), no lone
    surrogates, at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise InvalidArgumentError(name, value, _("text"))
    problem = bad_character(value)
    if problem:
        raise InvalidArgumentError(
            name, value, _("text without control characters ({problem})").format(problem=problem)
        )
    if len(value) > max_length:
        raise InvalidArgumentError(
            name,
            value,
            _("at most {limit} characters ({given} given)").format(
                limit=f"{max_length:,}", given=f"{len(value):,}"
            ),
        )
    return value


def day(name: str, value: date | datetime) -> date:
    """A date Excel can show: from 1900-01-01 to 9999-12-31."""
    moment = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= moment <= LAST_DAY:
        raise InvalidArgumentError(
            name, value, _("a date from {first} to {last}").format(first=FIRST_DAY, last=LAST_DAY)
        )
    return moment


def amount(name: str, value: Any) -> float:
    """An amount of money: a finite number from 0 to :data:`MAX_AMOUNT`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(name, value, _("a number"))
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= MAX_AMOUNT:
        raise InvalidArgumentError(
            name, value, _("an amount from 0 to {limit}").format(limit=f"{MAX_AMOUNT:,.0f}")
        )
    return number
