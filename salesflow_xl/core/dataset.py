"""The sales data as DataFrames, one per record type, for vectorised metrics.

A table's columns are its record's field names, in order; their kinds come from the field types:
text (object/str), number (float64, NaN when blank), date and timestamp (datetime64). The
conversions here are the only place records and frames meet.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, TypeVar

import pandas as pd

from salesflow_xl.core.model import (
    DEFAULT_LISTS,
    DEFAULT_PIPELINE,
    Activity,
    Campaign,
    Customer,
    Deal,
    Lists,
    Order,
    Pipeline,
    Settings,
    StageEvent,
)

ColumnKind = Literal["text", "number", "date", "timestamp"]
R = TypeVar("R")

#: Table key → record type. The order is the workbook's sheet order.
RECORD_TYPES: dict[str, type] = {
    "customers": Customer,
    "deals": Deal,
    "stage_log": StageEvent,
    "activities": Activity,
    "campaigns": Campaign,
    "orders": Order,
}


@cache
def column_kinds(record_type: type) -> dict[str, ColumnKind]:
    """Field name → column kind, derived from the record's type hints."""
    hints = typing.get_type_hints(record_type)
    return {f.name: _kind(hints[f.name]) for f in dataclasses.fields(record_type)}


@cache
def required_columns(record_type: type) -> tuple[str, ...]:
    """Fields without a default: a row missing one is invalid."""
    return tuple(
        f.name
        for f in dataclasses.fields(record_type)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def _kind(hint: Any) -> ColumnKind:
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if datetime in args:
        return "timestamp"
    if date in args:
        return "date"
    if float in args or int in args:
        return "number"
    return "text"


def to_frame(records: Iterable[Any], record_type: type) -> pd.DataFrame:
    """Records → a typed DataFrame with one column per field (also for no records)."""
    names = list(column_kinds(record_type))
    rows = [tuple(getattr(r, name) for name in names) for r in records]
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    return typed(frame, record_type)


def typed(frame: pd.DataFrame, record_type: type) -> pd.DataFrame:
    """Cast each column of ``frame`` to its field's kind (numbers float64, dates datetime64)."""
    out = frame.copy()
    for name, kind in column_kinds(record_type).items():
        if kind == "number":
            out[name] = pd.to_numeric(out[name]).astype("float64")
        elif kind in ("date", "timestamp"):
            out[name] = pd.to_datetime(out[name])
            if kind == "date":
                out[name] = out[name].dt.normalize()
        else:
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def to_records(frame: pd.DataFrame, record_type: type[R]) -> list[R]:
    """A typed DataFrame → records (NaN/NaT become None, datetimes become dates where declared)."""
    kinds = list(column_kinds(record_type).items())
    return [
        record_type(
            **{name: _python(value, kind) for (name, kind), value in zip(kinds, row, strict=True)}
        )
        for row in frame[[name for name, _ in kinds]].itertuples(index=False, name=None)
    ]


def _python(value: Any, kind: ColumnKind) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "timestamp":
        return pd.Timestamp(value).to_pydatetime()
    if kind == "number":
        return float(value)
    return value


@dataclass(frozen=True)
class SalesData:
    """Everything a workbook holds: the pipeline, the settings and one typed frame per table."""

    settings: Settings
    customers: pd.DataFrame
    deals: pd.DataFrame
    stage_log: pd.DataFrame
    activities: pd.DataFrame
    campaigns: pd.DataFrame
    orders: pd.DataFrame
    pipeline: Pipeline = DEFAULT_PIPELINE
    lists: Lists = DEFAULT_LISTS

    @classmethod
    def from_records(
        cls,
        settings: Settings,
        tables: Mapping[str, Iterable[Any]],
        pipeline: Pipeline = DEFAULT_PIPELINE,
        lists: Lists | None = None,
    ) -> SalesData:
        """Build from records, table key → records (missing tables are empty)."""
        frames = {
            key: to_frame(tables.get(key, ()), record_type)
            for key, record_type in RECORD_TYPES.items()
        }
        return cls(settings=settings, pipeline=pipeline, lists=lists or Lists(), **frames)

    def table(self, key: str) -> pd.DataFrame:
        """The frame for a table key of :data:`RECORD_TYPES`."""
        if key not in RECORD_TYPES:
            raise KeyError(key)
        frame: pd.DataFrame = getattr(self, key)
        return frame
