"""What an action wants done to the workbook, decided before anything is written.

Actions are planned purely from :class:`SalesData` into a :class:`Changes`; a gateway (the
workbook file, or a live Excel workbook) then applies all of it or, when planning failed,
nothing. Rows are addressed by their position in the table as read (0 = first record) and
values by record field: the gateway knows where each record's row and each field's column is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from salesflow_xl.core import i18n
from salesflow_xl.core.dataset import RECORD_TYPES, SalesData
from salesflow_xl.core.i18n import _
from salesflow_xl.core.model import Stage

if TYPE_CHECKING:
    from salesflow_xl.core.forecast.revenue import Forecast


@dataclass(frozen=True)
class Update:
    """New values (field → value) for the row at ``position`` of table ``table``."""

    table: str
    position: int
    values: dict[str, Any]


@dataclass
class Changes:
    """Rows to append, cells to update and settings to set, with a summary for the user."""

    summary: list[str] = field(default_factory=list)
    appends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    #: table → row position → field or model-figure key → value, for the columns SalesFlow
    #: fills (predictions)
    column_values: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    #: lay the Dashboard and Analytics out anew for the data after the change (new stages,
    #: campaigns, channels or segments need rows and chart series)
    relayout: bool = False

    def append(self, record: Any) -> None:
        """Queue a record (Customer, Deal, StageEvent, Activity …) for its table."""
        table = next(k for k, t in RECORD_TYPES.items() if isinstance(record, t))
        self.appends.setdefault(table, []).append(dataclasses.asdict(record))

    def update(self, table: str, position: int, values: dict[str, Any]) -> None:
        if values:
            self.updates.append(Update(table, position, dict(values)))

    def say(self, line: str) -> None:
        self.summary.append(line)

    @property
    def empty(self) -> bool:
        return not (
            self.appends
            or self.updates
            or self.settings
            or self.column_values
            or self.relayout
            or self.lists
            or self.stages is not None
            or self.privacy_log
            or self.cleared
            or self.forecast is not None
        )

    #: lists of the Lists sheet that change: list key (a field of ``core.model.Lists``) → all
    #: its values after the change, in order (the list's column is rewritten)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the Stages table after the change, row by row in pipeline order; None leaves it alone
    stages: tuple[StageRow, ...] | None = None
    #: rows for the append-only Privacy log (a :class:`~salesflow_xl.core.model.PrivacyEntry`
    #: as field → value); a workbook made before the log gets its sheet
    privacy_log: list[dict[str, Any]] = field(default_factory=list)
    #: table → positions of the rows whose cells outside SalesFlow's columns (columns the user
    #: added to the table) are cleared
    cleared: dict[str, list[int]] = field(default_factory=dict)
    #: personal data is erased: the gateway keeps no copy of the old values (text the file
    #: no longer uses, the backup beside it)
    erasure: bool = False
    #: the Dashboard's revenue forecast made anew (:func:`~salesflow_xl.core.forecast.
    #: dashboard_forecast`); None leaves it as it is unless the Dashboard is laid out anew
    forecast: Forecast | None = None


def changed_fields(before: Any, after: Any, skip: Iterable[str] = ("status",)) -> dict[str, Any]:
    """The fields of a record that differ between two versions (derived fields skipped)."""
    skipped = set(skip)
    return {
        f.name: getattr(after, f.name)
        for f in dataclasses.fields(after)
        if f.name not in skipped and getattr(before, f.name) != getattr(after, f.name)
    }


def next_ids(existing: pd.Series, prefix: str, width: int, count: int) -> list[str]:
    """``count`` fresh IDs like ``D00301`` after the highest ``prefix`` + number in use."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [int(m.group(1)) for v in existing.dropna().astype(str) if (m := pattern.match(v))]
    start = max(numbers, default=0) + 1
    return [f"{prefix}{n:0{width}d}" for n in range(start, start + count)]


def keep_as_of_current(data: SalesData, changes: Changes, day: date) -> Changes:
    """An action that records ``day`` moves a pinned as-of date before it forward to it, so
    that no figure is computed at a date before what the workbook records (no negative days,
    and a deal won today counts in the win rate). A workbook whose as-of date is blank follows
    today already; a pinned date after ``day`` stays."""
    settings = data.settings
    if settings.as_of_pinned and day > settings.as_of and not changes.empty:
        changes.settings.setdefault("as_of", day)
        changes.say(
            _(
                "As-of date {before} → {after}, the day recorded (the date is pinned in "
                "{sheet}; leave it blank to follow today)."
            ).format(before=settings.as_of, after=day, sheet=i18n.workbook_name("Settings"))
        )
    return changes


@dataclass(frozen=True)
class StageRow:
    """One row of the Stages table as a change rewrites it: the stage, and the position (0 =
    first) of the Stages row it was read from; None for a new stage."""

    stage: Stage
    source: int | None = None
