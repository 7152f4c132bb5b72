"""The look shared by the template's sheets: fonts, fills, page set-up and defined names.
Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only, with openpyxl)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

#: The last row of a sheet: validation and conditional formats cover the table's columns to here.
LAST_ROW = 1_048_576
TABLE_STYLE = "TableStyleMedium2"
COMPUTED_HEADER = PatternFill("solid", fgColor="FCE4D6")
COMPUTED_FONT = Font(bold=True, color="833C0B")
PREDICTION_HEADER = PatternFill("solid", fgColor="E2EFDA")
PREDICTION_FONT = Font(bold=True, color="375623")
DERIVED_HEADER = PatternFill("solid", fgColor="DDEBF7")
DERIVED_FONT = Font(bold=True, color="1F4E78")
TITLE_FONT = Font(bold=True, size=16, color="1F4E78")
BLOCK_FONT = Font(bold=True, size=12, color="1F4E78")
LABEL_FONT = Font(bold=True, color="595959")
NOTE_FONT = Font(italic=True, color="595959")
KPI_FONT = Font(bold=True, size=14)
ROTTING_FILL = PatternFill("solid", fgColor="FCE4D6", bgColor="FCE4D6")
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
OVERDUE_FONT = Font(color="9C0006", bold=True)
#: Column headers of the Analytics sheet and the Dashboard's blocks: white on blue.
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")


def one_page_wide(ws: Worksheet, landscape: bool) -> None:
    """Print the sheet on A4, one page wide and as many pages long as it takes."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def landscape(ws: Worksheet) -> None:
    """Print (and render) the sheet landscape, one page wide."""
    one_page_wide(ws, landscape=True)


def print_setup(ws: Worksheet, landscape: bool) -> None:
    """A table sheet prints one page wide (as many pages long as it takes), landscape when it
    is wide, on A4, with its header row repeated on every page."""
    one_page_wide(ws, landscape)
    ws.print_title_rows = "1:1"


#: Table headers wrap onto a second line instead of running into the next column.
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


def define(wb: Workbook, name: str, target: str, hidden: bool = False) -> None:
    """A workbook-level defined name (``hidden``: not listed in Excel's Name Manager)."""
    wb.defined_names[name] = DefinedName(name, attr_text=target, hidden=hidden or None)
