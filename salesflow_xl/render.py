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


def table(title: str, frame: pd.DataFrame, columns: Sequence[tuple[str, str, Formatter]]) -> Table:
    """A rich table of ``frame``'s columns: (column, heading, formatter) each; numbers right."""
    result = Table(title=title, title_justify="left", title_style="bold")
    for _, heading, formatter in columns:
        result.add_column(heading, justify="left" if formatter is text else "right")
    for row in frame.to_dict(orient="records"):
        result.add_row(*(formatter(row[name]) for name, _, formatter in columns))
    if frame.empty:
        result.add_row(*(["(none)"] + [""] * (len(columns) - 1)))
    return result


def print_report(report: Report, console: Console) -> None:
    """Print every section of the report as tables and a few headline lines."""
    totals, velocity = report.totals, report.velocity
    period = f"from {report.start} " if report.start else ""
    console.print(
        f"[bold]SalesFlow report[/bold] as of {report.as_of} (closed deals {period}"
        f"up to {report.as_of})"
    )
    console.print(
        f"{number(totals['customers'])} customers · {number(totals['deals'])} deals "
        f"({number(totals['open'])} open, {number(totals['won'])} won, "
        f"{number(totals['lost'])} lost)"
    )
    console.print(
        f"Open pipeline {money(totals['open_value'])} · weighted forecast "
        f"{money(totals['weighted_pipeline'])} · win rate {percent(report.win_rate)} · "
        f"velocity {money(velocity['per_day'])} per day"
    )
    console.print(
        f"  (velocity = {number(velocity['open_deals'])} open deals × "
        f"{percent(velocity['win_rate'])} × average won deal {money(velocity['average_won_deal'])}"
        f" ÷ {number(velocity['sales_cycle_days'])}-day sales cycle)"
    )
    conversion = report.stage_conversion.merge(report.days_in_stage, on="stage", how="left")
    funnel = report.funnel.merge(conversion, on="stage", how="left")
    console.print(
        table(
            "Funnel",
            funnel,
            [
                ("stage", "Stage", text),
                ("deals", "Deals now", number),
                ("value", "Value", money),
                ("weighted_value", "Weighted", money),
                ("reached", "Ever reached", number),
                ("conversion", "From previous", percent),
                ("average_days", "Avg days", number),
            ],
        )
    )
    console.print(
        table(
            "Lost reasons",
            report.lost_reasons,
            [("reason", "Reason", text), ("deals", "Deals", number)],
        )
    )
    economics = [
        ("spend", "Spend", money),
        ("deals", "Deals", number),
        ("won", "Won", number),
        ("revenue", "Revenue", money),
        ("roi", "ROI", percent),
        ("roas", "ROAS", ratio),
        ("cac", "CAC", money),
    ]
    console.print(
        table(
            "Campaigns",
            report.campaigns,
            [("campaign", "Campaign", text), ("channel", "Channel", text), *economics],
        )
    )
    console.print(table("Channels", report.channels, [("channel", "Channel", text), *economics]))
    console.print(
        table(
            "Segments",
            report.segments,
            [
                ("segment", "Segment", text),
                ("deals", "Deals", number),
                ("won", "Won", number),
                ("lost", "Lost", number),
                ("win_rate", "Win rate", percent),
                ("won_value", "Won value", money),
            ],
        )
    )
    console.print(
        table(
            "Top customers by CLV",
            report.top_customers,
            [
                ("customer_id", "ID", text),
                ("name", "Name", text),
                ("company", "Company", text),
                ("orders", "Orders", number),
                ("revenue", "Revenue", money),
                ("purchase_frequency", "Orders/month", number),
                ("clv", "CLV", money),
            ],
        )
    )
    console.print(
        table(
            "Follow-ups due",
            report.followups_due,
            [
                ("due", "Due", text),
                ("days_overdue", "Days late", number),
                ("deal_id", "Deal", text),
                ("what", "What", text),
            ],
        )
    )
    console.print(
        table(
            "Rotting deals",
            report.rotting_deals,
            [
                ("id", "Deal", text),
                ("title", "Title", text),
                ("stage", "Stage", text),
                ("value", "Value", money),
                ("days_idle", "Idle days", number),
                ("rotting_days", "Limit", number),
            ],
        )
    )
