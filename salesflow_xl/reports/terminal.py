"""The terminal rendering of a :class:`~salesflow_xl.core.report.Report` (rich tables)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from salesflow_xl.core.report import Report

Formatter = Callable[[Any], str]


def money(value: Any) -> str:
    """Thousands-separated whole currency units; "–" for a missing value."""
    return "–" if _missing(value) else f"{float(value):,.0f}"


def percent(value: Any) -> str:
    """A fraction as a percentage with one decimal ("36.9 %")."""
    return "–" if _missing(value) else f"{100 * float(value):.1f} %"


def number(value: Any) -> str:
    """A count or measure: whole numbers plain, others with one decimal."""
    if _missing(value):
        return "–"
    as_float = float(value)
    return f"{as_float:,.0f}" if as_float.is_integer() else f"{as_float:,.1f}"


def text(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def whole_percent(value: Any) -> str:
    """A fraction as a whole percentage ("88%"), for dense matrices."""
    return "–" if _missing(value) else f"{100 * float(value):.0f}%"


def ratio(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):.2f}×"


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def table(
    title: str,
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, Formatter]],
    caption: str | None = None,
) -> Table:
    """A rich table of ``frame``'s columns: (column, heading, formatter) each; numbers right.
    A cell too long for a narrow terminal wraps onto more lines, folding a long word, rather
    than being cut with an ellipsis (piped output is as wide as the tables: see
    :func:`salesflow_xl.cli.app.output_console`)."""
    result = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        caption=caption,
        caption_justify="left",
    )
    for _, heading, formatter in columns:
        result.add_column(
            heading, justify="left" if formatter is text else "right", overflow="fold"
        )
    for row in frame.to_dict(orient="records"):
        result.add_row(*(formatter(row[name]) for name, _, formatter in columns))
    if frame.empty:
        result.add_row(*(["(none)"] + [""] * (len(columns) - 1)))
    return result


Columns = Sequence[tuple[str, str, Formatter]]

_ECONOMICS: Columns = (
    ("spend", "Spend", money),
    ("deals", "Deals", number),
    ("won", "Won", number),
    ("revenue", "Revenue", money),
    ("roi", "ROI", percent),
    ("roas", "ROAS", ratio),
    ("cac", "CAC", money),
)

#: The report's tables, shared by the terminal and the HTML page: key → (title, columns).
#: "funnel" is the funnel joined with stage conversion and days in stage (:func:`frame_of`).
TABLES: dict[str, tuple[str, Columns]] = {
    "funnel": (
        "Funnel",
        (
            ("stage", "Stage", text),
            ("deals", "Deals now", number),
            ("value", "Value", money),
            ("weighted_value", "Weighted", money),
            ("reached", "Ever reached", number),
            ("conversion", "From previous", percent),
            ("average_days", "Avg days", number),
        ),
    ),
    "lost_reasons": ("Lost reasons", (("reason", "Reason", text), ("deals", "Deals", number))),
    "forecast": (
        "Weighted forecast by expected close month",
        (
            ("month", "Month", text),
            ("deals", "Deals", number),
            ("value", "Open value", money),
            ("weighted_value", "Weighted", money),
        ),
    ),
    "campaigns": (
        "Campaigns",
        (("campaign", "Campaign", text), ("channel", "Channel", text), *_ECONOMICS),
    ),
    "channels": ("Channels", (("channel", "Channel", text), *_ECONOMICS)),
    "segments": (
        "Segments",
        (
            ("segment", "Segment", text),
            ("deals", "Deals", number),
            ("won", "Won", number),
            ("lost", "Lost", number),
            ("win_rate", "Win rate", percent),
            ("won_value", "Won value", money),
        ),
    ),
    "top_customers": (
        "Top customers by CLV",
        (
            ("customer_id", "ID", text),
            ("name", "Name", text),
            ("company", "Company", text),
            ("orders", "Orders", number),
            ("revenue", "Revenue", money),
            ("purchase_frequency", "Orders/month", number),
            ("clv", "CLV", money),
        ),
    ),
    "rfm_segments": (
        "RFM segments",
        (
            ("segment", "Segment", text),
            ("customers", "Customers", number),
            ("customer_share", "Share", percent),
            ("revenue", "Revenue", money),
            ("revenue_share", "Revenue share", percent),
            ("recency_days", "Avg days since last order", number),
            ("frequency", "Avg orders", number),
        ),
    ),
    "followups_due": (
        "Follow-ups due",
        (
            ("due", "Due", text),
            ("days_overdue", "Days late", number),
            ("deal_id", "Deal", text),
            ("what", "What", text),
        ),
    ),
    "rotting_deals": (
        "Rotting deals",
        (
            ("id", "Deal", text),
            ("title", "Title", text),
            ("stage", "Stage", text),
            ("value", "Value", money),
            ("days_idle", "Idle days", number),
            ("rotting_days", "Limit", number),
        ),
    ),
}


def frame_of(report: Report, key: str) -> pd.DataFrame:
    """The frame behind table ``key`` of :data:`TABLES`."""
    if key == "funnel":
        conversion = report.stage_conversion.merge(report.days_in_stage, on="stage", how="left")
        return report.funnel.merge(conversion, on="stage", how="left")
    return getattr(report, key)


def headline(report: Report) -> list[str]:
    """The report's opening lines: period, counts, pipeline, win rate and velocity."""
    totals, velocity = report.totals, report.velocity
    period = f"from {report.start} " if report.start else ""
    return [
        f"as of {report.as_of} (closed deals {period}up to {report.as_of})",
        f"{number(totals['customers'])} customers · {number(totals['deals'])} deals "
        f"({number(totals['open'])} open, {number(totals['won'])} won, "
        f"{number(totals['lost'])} lost)",
        f"Open pipeline {money(totals['open_value'])} · weighted forecast "
        f"{money(totals['weighted_pipeline'])} · win rate {percent(report.win_rate)} · "
        f"velocity {money(velocity['per_day'])} per day",
        f"(velocity = {number(velocity['open_deals'])} open deals × "
        f"{percent(velocity['win_rate'])} × average won deal {money(velocity['average_won_deal'])}"
        f" ÷ {number(velocity['sales_cycle_days'])}-day sales cycle)",
    ]


def print_report(report: Report, console: Console, rows: int = 25) -> None:
    """Print the headline and every table of the report (long tables cut to ``rows`` rows,
    with how many more there are)."""
    first, *rest = headline(report)
    console.print(f"[bold]SalesFlow report[/bold] {first}")
    *figures, explanation = rest
    for line in figures:
        console.print(line)
    console.print(f"  {explanation}")
    for key, (title, columns) in TABLES.items():
        frame = frame_of(report, key)
        shown = frame.head(rows)
        caption = f"{len(frame) - rows:,} more not shown" if len(frame) > rows else None
        console.print(table(title, shown, columns, caption))
