"""The Templates sheet read into :class:`~salesflow_xl.core.model.EmailTemplate` records, every
problem collected with its sheet, row and column. Layer: the SalesFlow workbook.

The sheet is beside the sales data (:data:`~salesflow_xl.workbook.schema.SIDE_TABLES`): the
reader does not read it, the e-mail drafts do, from the cells a file or Excel gives
(:mod:`salesflow_xl.gateway.drafts`). Its columns are found by their headers in the
workbook's language; a blank row is skipped. A template needs a name, a subject and a body;
its Stage, when given, is one of the pipeline's; Marketing is the workbook's yes or no (blank:
no); the subject and body hold only the placeholders
:data:`~salesflow_xl.core.email_text.PLACEHOLDERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from salesflow_xl.core import consent, email_text
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import EmailTemplate, Pipeline
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.cells import blank
from salesflow_xl.workbook.problems import Problem


@dataclass(frozen=True, slots=True)
class TemplatesRead:
    """The Templates sheet as read.

    Attributes:
        templates: its templates, in sheet order (those with a problem left out).
        rows: the Excel row of each template.
        problems: every problem found, in reading order.
    """

    templates: tuple[EmailTemplate, ...]
    rows: tuple[int, ...]
    problems: tuple[Problem, ...]


def read_templates(cells: Sequence[Sequence[Any]], pipeline: Pipeline) -> TemplatesRead:
    """The templates of the Templates sheet's ``cells`` (row 1, the header, first; from
    column A), checked against ``pipeline``'s stages, in the language in effect."""
    spec = schema.TEMPLATES
    sheet = spec.sheet
    problems: list[Problem] = []
    header = [str(h).strip() if h is not None else "" for h in (cells[0] if cells else [])]
    positions: dict[str, int] = {}
    for column in spec.inputs:
        if column.header in header:
            positions[column.field or ""] = header.index(column.header)
        elif column.required:
            problems.append(
                Problem(sheet, 1, column.header, None, _("this column in the header row"))
            )
    if problems:
        return TemplatesRead((), (), tuple(problems))
    templates, rows = [], []
    for number, row in enumerate(cells[1:], start=2):
        values = {f: row[i] if i < len(row) else None for f, i in positions.items()}
        if all(blank(v) for v in values.values()):
            continue
        found = len(problems)
        template = _template(values, pipeline, sheet, number, problems)
        if template is not None and len(problems) == found:
            templates.append(template)
            rows.append(number)
    return TemplatesRead(tuple(templates), tuple(rows), tuple(problems))


def _template(
    values: dict[str, Any], pipeline: Pipeline, sheet: str, number: int, problems: list[Problem]
) -> EmailTemplate | None:
    """One row's template, or None; its problems appended to ``problems``."""
    spec = schema.TEMPLATES

    def problem(field: str, value: Any, expected: str) -> None:
        problems.append(Problem(sheet, number, spec.header_of(field), value, expected))

    texts: dict[str, str] = {}
    for field in ("name", "subject", "body"):
        value = values.get(field)
        if blank(value):
            problem(field, None, _("a value"))
            continue
        texts[field] = _text(value)
        if field != "name" and (wrong := email_text.problem(texts[field])) is not None:
            problem(field, value, wrong)
    stage = None
    raw_stage = values.get("stage")
    if not blank(raw_stage):
        found = pipeline.find(_text(raw_stage))
        if found is None:
            choices = _(", ").join(pipeline.names)
            problem("stage", raw_stage, _("one of {choices}, or blank").format(choices=choices))
        else:
            stage = found.name
    marketing = False
    raw_marketing = values.get("marketing")
    if not blank(raw_marketing):
        code = consent.code_of(raw_marketing)
        if code not in ("yes", "no"):
            expected = _("{yes}, {no} or blank").format(
                yes=consent.word("yes"), no=consent.word("no")
            )
            problem("marketing", raw_marketing, expected)
        marketing = code == "yes"
    if len(texts) < 3:
        return None
    return EmailTemplate(texts["name"], texts["subject"], texts["body"], stage, marketing)


def _text(value: Any) -> str:
    """A cell as text: a whole number without ".0" (a stage named 2026)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if not isinstance(value, str) else value.strip()
