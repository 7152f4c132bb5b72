"""E-mail drafts for the follow-ups due (:mod:`salesflow_xl.actions.drafts`), from a workbook
file or a workbook open in Excel: its Templates sheet read and checked (or, in a workbook made
before it, the default templates), the drafts planned and written into a folder, one file
each. ``salesflow drafts`` and the ribbon's Draft follow-up e-mails both come through here."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from pathlib import Path
from typing import Any

from salesflow_xl.actions import activities
from salesflow_xl.actions import drafts as planning
from salesflow_xl.actions.drafts import DraftPlan
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.email_templates import default_templates
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import EmailTemplate, Pipeline
from salesflow_xl.gateway.excel import ExcelBook
from salesflow_xl.workbook import schema, store
from salesflow_xl.workbook.problems import WorkbookInvalidError
from salesflow_xl.workbook.templates_sheet import read_templates


@dataclass(frozen=True, slots=True)
class Templates:
    """The templates the drafts are made from.

    Attributes:
        templates: in sheet order.
        from_sheet: read from the workbook's Templates sheet; False: the workbook has none
            (made before it) and these are the defaults for its pipeline.
    """

    templates: tuple[EmailTemplate, ...]
    from_sheet: bool


def templates(
    sheet_names: Sequence[str],
    rows_of: Callable[[str], list[list[Any]]],
    pipeline: Pipeline,
    source: str,
) -> Templates:
    """The workbook's templates, in the language in effect (the workbook's): its Templates
    sheet's (``rows_of(sheet)`` gives a sheet's cells from A1), or the defaults for
    ``pipeline`` when it has no such sheet. Raises :class:`WorkbookInvalidError` naming every
    problem of the sheet."""
    sheet = schema.TEMPLATES.sheet
    if sheet not in sheet_names:
        return Templates(default_templates(pipeline), from_sheet=False)
    read = read_templates(rows_of(sheet), pipeline)
    if read.problems:
        raise WorkbookInvalidError(source, read.problems)
    return Templates(read.templates, from_sheet=True)


def file_templates(content: bytes, pipeline: Pipeline, source: str) -> Templates:
    """The templates of a workbook file's bytes (read with python-calamine, as the reader
    reads the other sheets)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))

        def rows_of(sheet: str) -> list[list[Any]]:
            return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

        return templates(book.sheet_names, rows_of, pipeline, source)
    except (CalamineError, ValueError, OSError) as error:
        raise SalesflowError(
            _("{source}: sheet {sheet} could not be read: {error}").format(
                source=source, sheet=schema.TEMPLATES.sheet, error=error
            )
        ) from error


def drafts(
    data: SalesData,
    found: Templates,
    workbook: str,
    as_of: date,
    days: int,
    at: datetime,
    sender: Address | None = None,
) -> DraftPlan:
    """The drafts for the follow-ups due by ``as_of`` and in the ``days`` after it, as
    ``salesflow followups --json --days DAYS`` lists them."""
    due = activities.followups(data, as_of, days)
    return planning.plan(data, due, found.templates, workbook, at, sender)


def write(folder: Path, planned: DraftPlan) -> list[Path]:
    """Write each draft into ``folder`` (made when missing), each file all or nothing (a
    temporary file renamed over it); returns the files written. A file of an earlier run with
    the same name is replaced; no other file is touched."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SalesflowError(
            _("cannot make the folder {path}: {error}").format(
                path=folder, error=error.strerror or error
            )
        ) from error
    written = []
    for draft in planned.drafts:
        path = folder / draft.file_name
        try:
            store.atomic_write(path, draft.content(), keep_backup=False)
        except OSError as error:
            raise SalesflowError(
                _("cannot write {path}: {error}").format(path=path, error=error.strerror or error)
            ) from error
        written.append(path)
    return written


def no_sheet_note() -> str:
    """What to say when the workbook has no Templates sheet."""
    return _(
        "This workbook has no {sheet} sheet (it was made before there was one): the drafts use "
        "the default templates. To write your own, copy the {sheet} sheet from a new workbook "
        "made with salesflow new into this one."
    ).format(sheet=schema.TEMPLATES.sheet)


def excel_templates(book: ExcelBook, pipeline: Pipeline) -> Templates:
    """The templates of a workbook open in Excel (one call for the Templates sheet)."""
    names = [sheet.name for sheet in book.book.sheets]
    return templates(names, book.values, pipeline, book.source)
