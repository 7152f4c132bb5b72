"""The terminal rendering of a :class:`~salesflow_xl.core.report.Report` (rich tables), in the
language in effect (:mod:`salesflow_xl.core.i18n`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from salesflow_xl.core.i18n import N_, _
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


def label(value: Any) -> str:
    """A name SalesFlow itself gives (an RFM segment), in the language in effect."""
    return _(text(value)) if text(value) else ""


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
    for _key, heading, formatter in columns:
        result.add_column(
            _(heading), justify="left" if formatter in (text, label) else "right", overflow="fold"
        )
    for row in frame.to_dict(orient="records"):
        result.add_row(*(formatter(row[name]) for name, _, formatter in columns))
    if frame.empty:
        result.add_row(*([_("(none)")] + [""] * (len(columns) - 1)))
    return result


Columns = Sequence[tuple[str, str, Formatter]]

_ECONOMICS: Columns = (
    ("spend", N_("Spend"), money),
    ("deals", N_("Deals"), number),
    ("won", N_("Won"), number),
    ("revenue", N_("Revenue"), money),
    ("roi", N_("ROI"), percent),
    ("roas", N_("ROAS"), ratio),
    ("cac", N_("CAC"), money),
)

#: The report's tables, shared by the terminal and the HTML page: key → (title, columns).
#: "funnel" is the funnel joined with stage conversion and days in stage (:func:`frame_of`).
TABLES: dict[str, tuple[str, Columns]] = {
    "funnel": (
        N_("Funnel"),
        (
            ("stage", N_("Stage"), text),
            ("deals", N_("Deals now"), number),
            ("value", N_("Value"), money),
            ("weighted_value", N_("Weighted"), money),
            ("reached", N_("Ever reached"), number),
            ("conversion", N_("From previous"), percent),
            ("average_days", N_("Avg days"), number),
        ),
    ),
    "stage_probabilities": (
        N_("Win probability per stage: configured and learned from the closed deals"),
        (
            ("stage", N_("Stage"), text),
            ("configured", N_("Configured"), percent),
            ("learned", N_("Learned"), percent),
            ("closed", N_("Closed deals"), number),
            ("won", N_("Won"), number),
            ("days_to_close", N_("Days to win (median)"), number),
        ),
    ),
    "lost_reasons": (
        N_("Lost reasons"),
        (("reason", N_("Reason"), text), ("deals", N_("Deals"), number)),
    ),
    "forecast": (
        N_("Weighted forecast by expected close month"),
        (
            ("month", N_("Month"), text),
            ("deals", N_("Deals"), number),
            ("value", N_("Open value"), money),
            ("weighted_value", N_("Weighted"), money),
        ),
    ),
    "campaigns": (
        N_("Campaigns"),
        (("campaign", N_("Campaign"), text), ("channel", N_("Channel"), text), *_ECONOMICS),
    ),
    "channels": (N_("Channels"), (("channel", N_("Channel"), text), *_ECONOMICS)),
    "segments": (
        N_("Segments"),
        (
            ("segment", N_("Segment"), text),
            ("deals", N_("Deals"), number),
            ("won", N_("Won"), number),
            ("lost", N_("Lost"), number),
            ("win_rate", N_("Win rate"), percent),
            ("won_value", N_("Won value"), money),
        ),
    ),
    "top_customers": (
        N_("Top customers by CLV"),
        (
            ("customer_id", N_("ID"), text),
            ("name", N_("Name"), text),
            ("company", N_("Company"), text),
            ("orders", N_("Orders"), number),
            ("revenue", N_("Revenue"), money),
            ("purchase_frequency", N_("Orders/month"), number),
            ("clv", N_("CLV"), money),
        ),
    ),
    "rfm_segments": (
        N_("RFM segments"),
        (
            ("segment", N_("Segment"), label),
            ("customers", N_("Customers"), number),
            ("customer_share", N_("Share"), percent),
            ("revenue", N_("Revenue"), money),
            ("revenue_share", N_("Revenue share"), percent),
            ("recency_days", N_("Avg days since last order"), number),
            ("frequency", N_("Avg orders"), number),
        ),
    ),
    "followups_due": (
        N_("Follow-ups due"),
        (
            ("due", N_("Due"), text),
            ("days_overdue", N_("Days late"), number),
            ("deal_id", N_("Deal"), text),
            ("what", N_("What"), text),
        ),
    ),
    "rotting_deals": (
        N_("Rotting deals"),
        (
            ("id", N_("Deal"), text),
            ("title", N_("Title"), text),
            ("stage", N_("Stage"), text),
            ("value", N_("Value"), money),
            ("days_idle", N_("Idle days"), number),
            ("rotting_days", N_("Limit"), number),
        ),
    ),
}


#: The learned revenue forecast's table (the HTML page's; the terminal report runs no
#: simulation: ``salesflow forecast`` prints it).
REVENUE_TABLE: tuple[str, Columns] = (
    N_("Expected revenue per month (learned forecast)"),
    (
        ("month", N_("Month"), text),
        ("deals", N_("Open deals"), money),
        ("new_deals", N_("New deals"), money),
        ("orders", N_("Repeat orders"), money),
        ("total", N_("Total"), money),
        ("low", N_("Low (10 %)"), money),
        ("high", N_("High (90 %)"), money),
    ),
)

#: Under the stage probabilities: what "learned" means.
LEARNED_NOTE = N_(
    "Learned = (won + {weight} × configured) ÷ (closed + {weight}), over the deals that reached "
    "the stage and closed: the configured probability counts as {weight} closed deals."
)


def learned_note() -> str:
    """:data:`LEARNED_NOTE` in the language in effect, with the prior's weight."""
    from salesflow_xl.core.forecast.calibration import PRIOR_WEIGHT

    return _(LEARNED_NOTE).format(weight=f"{PRIOR_WEIGHT:g}")


def frame_of(report: Report, key: str) -> pd.DataFrame:
    """The frame behind table ``key`` of :data:`TABLES` (or ``"revenue"``:
    :data:`REVENUE_TABLE`); an empty frame for a figure the report was built without."""
    if key == "revenue":
        return report.revenue.months if report.revenue is not None else pd.DataFrame()
    if key == "stage_probabilities" and report.stage_probabilities is None:
        return pd.DataFrame()
    if key == "funnel":
        conversion = report.stage_conversion.merge(report.days_in_stage, on="stage", how="left")
        return report.funnel.merge(conversion, on="stage", how="left")
    return getattr(report, key)


def headline(report: Report) -> list[str]:
    """The report's opening lines: period, counts, pipeline, win rate and velocity."""
    totals, velocity = report.totals, report.velocity
    if report.start:
        period = _("as of {as_of} (closed deals from {start} up to {as_of})")
    else:
        period = _("as of {as_of} (closed deals up to {as_of})")
    return [
        period.format(as_of=report.as_of, start=report.start),
        _("{customers} customers · {deals} deals ({open} open, {won} won, {lost} lost)").format(
            customers=number(totals["customers"]),
            deals=number(totals["deals"]),
            open=number(totals["open"]),
            won=number(totals["won"]),
            lost=number(totals["lost"]),
        ),
        _(
            "Open pipeline {open_value} · weighted forecast {weighted} · win rate {win_rate} · "
            "velocity {per_day} per day"
        ).format(
            open_value=money(totals["open_value"]),
            weighted=money(totals["weighted_pipeline"]),
            win_rate=percent(report.win_rate),
            per_day=money(velocity["per_day"]),
        ),
        _(
            "(velocity = {open_deals} open deals × {win_rate} × average won deal {average} ÷ "
            "{cycle}-day sales cycle)"
        ).format(
            open_deals=number(velocity["open_deals"]),
            win_rate=percent(velocity["win_rate"]),
            average=money(velocity["average_won_deal"]),
            cycle=number(velocity["sales_cycle_days"]),
        ),
    ]


def print_report(report: Report, console: Console, rows: int = 25) -> None:
    """Print the headline and every table of the report (long tables cut to ``rows`` rows,
    with how many more there are), in the language in effect."""
    first, *rest = headline(report)
    console.print(f"[bold]{_('SalesFlow report')}[/bold] {first}")
    *figures, explanation = rest
    for line in figures:
        console.print(line)
    console.print(f"  {explanation}")
    for key, (title, columns) in TABLES.items():
        if key == "stage_probabilities" and report.stage_probabilities is None:
            continue
        frame = frame_of(report, key)
        shown = frame.head(rows)
        caption = (
            _("{count} more not shown").format(count=f"{len(frame) - rows:,}")
            if len(frame) > rows
            else learned_note()
            if key == "stage_probabilities"
            else None
        )
        console.print(table(_(title), shown, columns, caption))
