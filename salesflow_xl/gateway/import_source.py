"""The file an import reads, CSV text or a sheet of an Excel workbook, told by its bytes and
read into rows (:mod:`salesflow_xl.actions.import_sources`): the one place that joins the
workbook reader of any sheet (:mod:`salesflow_xl.workbook.source_sheet`) with the CSV reader."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from salesflow_xl.actions import import_sources
from salesflow_xl.actions.import_sources import SourceTable
from salesflow_xl.actions.safe_text import MAX_BYTES
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.workbook import source_sheet


def read_source(
    content: bytes,
    filename: str,
    columns_of: Callable[[list[str]], Mapping[str, int]],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> SourceTable:
    """The rows of an import file's ``content``; ``columns_of(header)`` says which column holds
    each field. ``sheet`` names a workbook's sheet (refused for CSV), ``encoding`` a CSV file's
    encoding (ignored for a workbook). ``filename`` names the file in messages and tells an
    .xls or .xlsb file."""
    if len(content) > MAX_BYTES:
        raise SalesflowError(
            _("{source} is {size} MB; imports are limited to {limit} MB (split the file)").format(
                source=filename,
                size=f"{len(content) / 1024**2:.0f}",
                limit=MAX_BYTES // 1024**2,
            )
        )
    if source_sheet.is_workbook(content, filename):
        cells = source_sheet.read_sheet(content, filename, sheet)
        return import_sources.sheet_table(
            cells.rows, columns_of, cells.sheet, filename, cells.sheets
        )
    if sheet is not None:
        raise SalesflowError(
            _("--sheet is for Excel files; {source} is read as CSV text").format(source=filename)
        )
    return import_sources.csv_table(content, filename, columns_of, encoding)
