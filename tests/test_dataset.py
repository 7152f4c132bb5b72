"""Records and frames convert into each other without loss."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from salesflow_xl.core.dataset import column_kinds, required_columns, to_frame, to_records
from salesflow_xl.core.model import Deal, StageEvent


def test_column_kinds_come_from_the_record_types() -> None:
    kinds = column_kinds(Deal)
    assert kinds["value"] == "number"
    assert kinds["probability"] == "number"
    assert kinds["created"] == "date"
    assert kinds["title"] == "text"
    assert column_kinds(StageEvent)["timestamp"] == "timestamp"
    assert required_columns(Deal) == (
        "id",
        "customer_id",
        "title",
        "value",
        "stage",
        "status",
        "created",
        "stage_entered",
    )


def test_round_trip_keeps_blanks_dates_and_times() -> None:
    deals = [
        Deal("D1", "C1", "A", 10.5, "Nurturing", "open", date(2026, 1, 2), date(2026, 1, 3)),
        Deal(
            "D2",
            "C2",
            "B",
            0.0,
            "Closed lost",
            "lost",
            date(2026, 1, 2),
            date(2026, 2, 3),
            probability=0.25,
            closed=date(2026, 2, 3),
            lost_reason="Price",
        ),
    ]
    frame = to_frame(deals, Deal)
    assert frame["value"].dtype == "float64"
    assert pd.api.types.is_datetime64_any_dtype(frame["created"])
    assert to_records(frame, Deal) == deals
    events = [StageEvent(datetime(2026, 1, 2, 9, 41, 7), "D1", None, "Nurturing", None)]
    assert to_records(to_frame(events, StageEvent), StageEvent) == events


def test_empty_frame_has_every_column() -> None:
    frame = to_frame([], Deal)
    assert list(frame.columns) == list(column_kinds(Deal))
    assert len(frame) == 0
