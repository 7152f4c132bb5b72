"""A sheet of any Excel workbook (.xlsx, .xlsm) read as text cells, for importing the lists
people keep in Excel; the import reads them as it reads CSV rows
(:mod:`salesflow_xl.actions.import_sources`).

- The workbook is checked before openpyxl opens it (zip bombs, passwords, damage:
  :meth:`salesflow_xl.ooxml.package.Package.from_bytes`) and read values only: a formula gives
  the value Excel saved with it.
- The sheet read is the one named (``--sheet``: exactly, else ignoring case), by default the
  first visible one.
- Cells are read as text as a person sees them (:func:`cell_text`): 13812345678 stored as a
  number is "13812345678", a date "2024-03-05".

Bytes in, cells out: nothing here opens a file. Layer: the SalesFlow workbook package (imports
``salesflow_xl.core`` and ``salesflow_xl.ooxml``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.ooxml.package import CFB_MAGIC, Package, PackageError

#: File names of workbooks SalesFlow cannot read (refused with advice to save them as .xlsx).
BINARY_WORKBOOKS = (".xls", ".xlsb")
#: The first bytes of a zip file (an .xlsx workbook is one).
ZIP_MAGIC = b"PK\x03\x04"
#: What marks a Compound File as a workbook encrypted with a password (not an .xls file).
ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class SheetCells:
    """The cells of one sheet as text (row number, texts) per row, the sheet's name and the
    workbook's sheet names."""

    sheet: str
    sheets: tuple[str, ...]
    rows: list[tuple[int, list[str | None]]]


def is_workbook(content: bytes, filename: str) -> bool:
    """Whether ``content`` is an Excel workbook, told by its bytes: True for a zip (an .xlsx
    or .xlsm, checked when read); an Excel 97–2003 or binary workbook (.xls, .xlsb) is refused
    (save it as .xlsx or CSV), an encrypted one with how to remove the password; False for
    anything else (text)."""
    binary_name = filename.casefold().endswith(BINARY_WORKBOOKS)
    if content.startswith(CFB_MAGIC) and ENCRYPTED in content:
        Package.from_bytes(content, filename)  # refuses it, saying how to remove the password
    if content.startswith(CFB_MAGIC) or (binary_name and not content.startswith(ZIP_MAGIC)):
        raise _binary_workbook(filename)
    if content.startswith(ZIP_MAGIC):
        try:
            Package.from_bytes(content, filename)
        except PackageError as error:
            if binary_name:
                raise _binary_workbook(filename) from error
            raise
        return True
    return False


def _binary_workbook(source: str) -> SalesflowError:
    return SalesflowError(
        _(
            "{source} is an Excel 97–2003 or binary workbook (.xls, .xlsb), which SalesFlow "
            "cannot read: open it in Excel and save it as .xlsx or CSV"
        ).format(source=source)
    )


def read_sheet(content: bytes, filename: str, sheet: str | None = None) -> SheetCells:
    """The cells of sheet ``sheet`` of the workbook ``content`` (checked by
    :func:`is_workbook`), every row as text, blank rows included."""
    import openpyxl  # imported here: costly, and only workbooks need it

    with warnings.catch_warnings():  # openpyxl warns of parts it skips (validation, styles)
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise _unreadable(filename, error) from error
        try:
            sheets = tuple(ws.title for ws in book.worksheets)
            chosen = book.worksheets[_sheet_index(book.worksheets, sheet, filename)]
            chosen.reset_dimensions()  # read every row, whatever the sheet says its size is
            rows = [
                (number, [cell_text(c.value, c.data_type) for c in row])
                for number, row in enumerate(chosen.iter_rows(), 1)
            ]
        except SalesflowError:
            raise
        except Exception as error:  # a sheet is parsed as it is read: damage shows here
            raise _unreadable(filename, error) from error
        finally:
            book.close()
    return SheetCells(chosen.title, sheets, rows)


def _unreadable(source: str, error: Exception) -> SalesflowError:
    return SalesflowError(
        _("{source} is not a readable Excel workbook (.xlsx): {error}").format(
            source=source, error=error
        )
    )


def _sheet_index(worksheets: list[Any], sheet: str | None, source: str) -> int:
    """Which of ``worksheets`` to read: the one named ``sheet`` (exactly, else ignoring case),
    by default the first visible one."""
    if not worksheets:
        raise SalesflowError(_("{source} has no sheet to read").format(source=source))
    if sheet is None:
        visible = (i for i, ws in enumerate(worksheets) if ws.sheet_state == "visible")
        return next(visible, 0)
    titles = [ws.title for ws in worksheets]
    if sheet in titles:
        return titles.index(sheet)
    folded = [t.casefold() for t in titles]
    if sheet.strip().casefold() in folded:
        return folded.index(sheet.strip().casefold())
    raise SalesflowError(
        _("{source} has no sheet {sheet}; its sheets: {sheets}").format(
            source=source, sheet=sheet, sheets=_(", ").join(titles)
        )
    )


def cell_text(value: Any, data_type: str = "n") -> str | None:
    """A cell's value as text, as a person sees it; None when blank or an error ("#N/A").
    Whole numbers without ".0" (a phone 13812345678 stored as a number), other numbers to 15
    digits as Excel shows them ("3600.5"), a date "2024-03-05", a date and time
    "2024-03-05 14:30", a time "14:30", TRUE and FALSE; text stripped."""
    if value is None or data_type == "e":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        shown = float(f"{value:.15g}")  # Excel's 15 digits: 0.1 + 0.2 is 0.3
        return str(int(shown)) if shown.is_integer() and abs(shown) < 1e16 else repr(shown)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if value.time() == time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, timedelta):  # a duration ([h]:mm)
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value).strip() or None
