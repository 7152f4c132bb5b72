"""Excel's error values, and the one text a cell shows when a worksheet function fails.

Every surface that puts a failed function's text in a cell uses :func:`cell_text`: the
xlwings functions in Excel and the LibreOffice bridge. :class:`ExcelError` is an error value as
a sheet stores it (read back from a recalculated file). The format:

- a :class:`SalesflowError` is the user's mistake and shows its message alone:
  ``=ROI(1, 0)`` shows ``cost must be a number > 0, got 0``;
- any other exception shows the Excel error it amounts to, a space and its message:
  ``#DIV/0! float division by zero``, ``#VALUE! unsupported operand type(s) …``.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesflow_xl.core.errors import SalesflowError

NULL = "#NULL!"
DIV0 = "#DIV/0!"
VALUE = "#VALUE!"
REF = "#REF!"
NAME = "#NAME?"
NUM = "#NUM!"
NA = "#N/A"

#: Excel's error values, in the order of its ``ERROR.TYPE`` function (1 to 7).
ERRORS = (NULL, DIV0, VALUE, REF, NAME, NUM, NA)

#: The exceptions a worksheet function shows in its cell. Anything else is a bug: in Excel it
#: reaches xlwings, which reports it with its traceback.
CELL_ERRORS: tuple[type[Exception], ...] = (SalesflowError, ArithmeticError, TypeError, ValueError)


@dataclass(frozen=True)
class ExcelError:
    """An error value stored in a cell (``t="e"``), such as ``#DIV/0!`` (one of :data:`ERRORS`,
    or whatever error text a file holds)."""

    text: str

    def __str__(self) -> str:
        return self.text


def error_value(error: BaseException) -> str:
    """The Excel error an exception amounts to: ``#DIV/0!`` for a division by zero, ``#NUM!``
    for another arithmetic failure (overflow), else ``#VALUE!`` (as Excel shows for a failing
    function)."""
    if isinstance(error, ZeroDivisionError):
        return DIV0
    if isinstance(error, ArithmeticError):
        return NUM
    return VALUE


def cell_text(error: BaseException) -> str:
    """The text a cell shows for ``error``: a SalesFlow error's message alone, otherwise its
    Excel error value and message (the exception's type name when it has no message)."""
    if isinstance(error, SalesflowError):
        return str(error)
    return f"{error_value(error)} {str(error) or type(error).__name__}"
