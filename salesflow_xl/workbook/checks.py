"""The checks across tables, run on a workbook as read and on the data an action is about to
write: each a small function ``(data, rows) -> problems``, all in :data:`VALIDATORS` (as
beancount's validation runs a list of validators). ``rows`` gives the Excel row of each record
(table key → row numbers in record order), so every problem names the row to fix."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import pandas as pd

from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.i18n import _
from salesflow_xl.workbook import schema
from salesflow_xl.workbook.problems import Problem
from salesflow_xl.workbook.schema import TableSpec

Rows = Mapping[str, Sequence[int]]
Validator = Callable[[SalesData, Rows], Iterator[Problem]]

#: Tables whose key column must not repeat: (table, key field).
UNIQUE_KEYS: tuple[tuple[TableSpec, str], ...] = (
    (schema.CUSTOMERS, "id"),
    (schema.DEALS, "id"),
    (schema.ACTIVITIES, "id"),
    (schema.ORDERS, "id"),
    (schema.CAMPAIGNS, "name"),
)
#: References between tables: (table, field, target table, target key field).
REFERENCES: tuple[tuple[TableSpec, str, TableSpec, str], ...] = (
    (schema.DEALS, "customer_id", schema.CUSTOMERS, "id"),
    (schema.ORDERS, "customer_id", schema.CUSTOMERS, "id"),
    (schema.STAGE_LOG, "deal_id", schema.DEALS, "id"),
    (schema.ACTIVITIES, "deal_id", schema.DEALS, "id"),
    (schema.ACTIVITIES, "customer_id", schema.CUSTOMERS, "id"),
    (schema.DEALS, "campaign", schema.CAMPAIGNS, "name"),
    (schema.CUSTOMERS, "campaign", schema.CAMPAIGNS, "name"),
)


def _problems(
    spec: TableSpec,
    rows: Rows,
    mask: pd.Series,
    field: str,
    values: pd.Series | None,
    expected: str,
) -> Iterator[Problem]:
    """A problem for each record where ``mask`` holds, naming its Excel row."""
    table_rows = rows[spec.key]
    header = spec.header_of(field)
    for position in mask.to_numpy().nonzero()[0]:
        value = None if values is None else values.iat[position]
        yield Problem(spec.sheet, int(table_rows[position]), header, value, expected)


def unique_keys(data: SalesData, rows: Rows) -> Iterator[Problem]:
    """IDs (and campaign names) are not repeated."""
    for spec, field in UNIQUE_KEYS:
        keys = data.table(spec.key)[field]
        repeated = keys.duplicated(keep="first") & keys.notna()
        expected = _("an ID not used by an earlier row")
        yield from _problems(spec, rows, repeated, field, keys, expected)


def references(data: SalesData, rows: Rows) -> Iterator[Problem]:
    """Every customer, deal and campaign referred to exists."""
    known: dict[str, set[str]] = {}  # each target's keys, collected once
    for spec, field, target, key in REFERENCES:
        values = data.table(spec.key)[field]
        if target.key not in known:
            known[target.key] = set(data.table(target.key)[key].dropna())
        unknown = values.notna() & ~values.isin(known[target.key])
        expected = _("an ID from the {sheet} sheet").format(sheet=target.sheet)
        yield from _problems(spec, rows, unknown, field, values, expected)


def logged_stages(data: SalesData, rows: Rows) -> Iterator[Problem]:
    """The stage log names only the pipeline's stages."""
    names = data.pipeline.names
    expected = _("one of the stages: {stages}").format(stages=", ".join(names))
    for field in ("from_stage", "to_stage"):
        stages = data.stage_log[field]
        unknown = stages.notna() & ~stages.isin(set(names))
        yield from _problems(schema.STAGE_LOG, rows, unknown, field, stages, expected)


def closed_deals(data: SalesData, rows: Rows) -> Iterator[Problem]:
    """A lost deal has a reason; a won or lost deal has its closing date."""
    deals = data.deals
    no_reason = (deals["status"] == "lost") & deals["lost_reason"].isna()
    yield from _problems(
        schema.DEALS, rows, no_reason, "lost_reason", None, _("a reason for a lost deal")
    )
    undated = deals["status"].isin(["won", "lost"]) & deals["closed"].isna()
    yield from _problems(
        schema.DEALS, rows, undated, "closed", None, _("the date a won or lost deal was closed")
    )


VALIDATORS: tuple[Validator, ...] = (unique_keys, references, logged_stages, closed_deals)


def cross_table_problems(data: SalesData, rows: Rows) -> list[Problem]:
    """Every problem :data:`VALIDATORS` find in ``data``."""
    return [problem for validator in VALIDATORS for problem in validator(data, rows)]
