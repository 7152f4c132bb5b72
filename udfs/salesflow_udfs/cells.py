"""What every worksheet function shares: its Function Wizard category, the decorator that turns
a failure into the text its cell shows, and reading cell values and columns."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from salesflow_xl.core.excel_errors import CELL_ERRORS, cell_text

CATEGORY = "SalesFlow"
F = TypeVar("F", bound=Callable[..., Any])


def excel_errors(function: F) -> F:
    """Show a SalesflowError (or a wrong type, a failed calculation) as the short text of
    :func:`~salesflow_xl.core.excel_errors.cell_text` in the cell."""

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        try:
            return function(*args)
        except CELL_ERRORS as error:
            return cell_text(error)

    return cast("F", wrapper)


def default(value: Any, fallback: float) -> Any:
    """An optional argument: ``fallback`` when left empty."""
    return fallback if value is None or value == "" else value


def is_number(value: Any) -> bool:
    """A finite number (not a bool, text or blank)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def column(values: Any) -> list[Any]:
    """A range's values as a flat list (one value per row)."""
    if isinstance(values, list | tuple):
        flat: list[Any] = []
        for item in values:
            flat.extend(item if isinstance(item, list | tuple) else [item])
        return flat
    return [values]
