"""The ``forecast`` command: expected revenue by month learned from the workbook's history, and
its back-test on the past (:mod:`salesflow_xl.core.forecast`)."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from salesflow_xl.cli.app import DAY, EXISTING_WORKBOOK, output_console, strict_json
from salesflow_xl.cli.workbook_file import read
from salesflow_xl.core.i18n import _

if TYPE_CHECKING:
    import pandas as pd

    from salesflow_xl.core.forecast.backtest import Backtest
    from salesflow_xl.core.forecast.revenue import Forecast


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--months",
    type=click.IntRange(1, 24),
    default=6,
    show_default=True,
    help="How many months to forecast.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DAY,
    default=None,
    help="Forecast from this date, with what was known then (default: the as-of date).",
)
@click.option(
    "--backtest",
    is_flag=True,
    help="Replay the forecast at every past month end and compare it with what happened.",
)
@click.option(
    "--horizon",
    type=click.IntRange(1, 12),
    default=3,
    show_default=True,
    help="With --backtest: the months after each month end compared.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The simulation's seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the forecast as JSON.")
def forecast(
    path: Path,
    months: int,
    as_of: datetime | None,
    backtest: bool,
    horizon: int,
    seed: int,
    as_json: bool,
) -> None:
    """Forecast revenue by month from the workbook's own history.

    Open deals are won with the win rate their stage has actually had (learned from the stage
    log, shrunk toward the Stages sheet's probability while few deals closed) and close after
    the time such deals took; deals not yet in the pipeline come in as fast as lately and bring
    what past ones brought; existing customers reorder as their BG/NBD and Gamma-Gamma models
    say. Each month shows the expected revenue and an 80 % interval from up to 2,000
    simulated futures (fewer for a business of thousands of customers).

    --backtest makes the forecast again at every past month end from what was known then,
    compares it with what was actually won and ordered, and says how far off it and the plain
    weighted pipeline were.

    Examples:

    \b
        salesflow forecast Sales.xlsx
        salesflow forecast Sales.xlsx --months 12 --json
        salesflow forecast Sales.xlsx --backtest
    """
    from salesflow_xl.core.forecast import backtest as replay
    from salesflow_xl.core.forecast import revenue

    data = read(path)
    if backtest:
        found = replay.backtest(data, horizon, seed=seed)
        if as_json:
            click.echo(strict_json(backtest_json(found)))
        else:
            _print_backtest(found)
        return
    made = revenue.forecast(data, months, as_of.date() if as_of else None, seed=seed)
    if as_json:
        click.echo(strict_json(forecast_json(made)))
        return
    _print_forecast(made)


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        rows.append(
            {
                k: v.isoformat()
                if hasattr(v, "isoformat")
                else _number(v)
                if isinstance(v, int | float) and not isinstance(v, bool)
                else v
                for k, v in record.items()
            }
        )
    return rows


def forecast_json(made: Forecast) -> dict[str, Any]:
    """The forecast as ``salesflow forecast --json`` prints it (docs/forecast.md)."""
    stages = made.stages.drop(columns=["in_stage_closed", "in_stage_won"], errors="ignore")
    return {
        "as_of": made.at.isoformat(),
        "interval": 0.8,
        "months": _records(made.months),
        "stages": _records(stages),
        "notes": list(made.notes),
    }


def backtest_json(found: Backtest) -> dict[str, Any]:
    """The back-test as ``salesflow forecast --backtest --json`` prints it."""
    return {
        "horizon": found.horizon,
        "scores": _records(found.scores),
        "verdict": verdict(found.scores),
        "rows": _records(found.rows),
    }


def verdict(scores: pd.DataFrame) -> str:
    """Which forecast of the deals to trust, and by how much."""
    by_name = scores.set_index("forecast")
    learned, weighted = by_name.loc["learned", "mae"], by_name.loc["weighted", "mae"]
    if not (math.isfinite(learned) and math.isfinite(weighted)) or weighted == 0:
        return _("Too little history to compare the forecasts.")
    if learned <= weighted:
        return _(
            "Trust the learned forecast: its error was {share:.0%} smaller than the weighted "
            "pipeline's ({learned:,.0f} against {weighted:,.0f} a month)."
        ).format(share=1 - learned / weighted, learned=learned, weighted=weighted)
    return _(
        "The weighted pipeline did better here: the learned forecast's error was {share:.0%} "
        "larger ({learned:,.0f} against {weighted:,.0f} a month)."
    ).format(share=learned / weighted - 1, learned=learned, weighted=weighted)


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _print_forecast(made: Forecast) -> None:
    from rich.table import Table

    click.echo(
        _("Revenue forecast from {date}: expected, with an interval of 80 %").format(
            date=made.at.isoformat()
        )
    )
    table = Table()
    for header in (
        _("Month"),
        _("Open deals"),
        _("New deals"),
        _("Order revenue"),
        _("Total"),
        _("Interval (80 %)"),
    ):
        table.add_column(header, justify="left" if header == _("Month") else "right")
    for row in made.months.itertuples(index=False):
        table.add_row(
            row.month,
            _money(row.deals),
            _money(row.new_deals),
            _money(row.orders),
            _money(row.total),
            f"{_money(row.low)} – {_money(row.high)}",
        )
    output_console().print(table)
    click.echo(_("Win rates learned from the deals that closed (configured → learned):"))
    stages = Table()
    for header in (_("Stage"), _("Configured"), _("Learned"), _("Closed"), _("Won"), _("Days")):
        stages.add_column(header, justify="left" if header == _("Stage") else "right")
    for row in made.stages.itertuples(index=False):
        days = "—" if not math.isfinite(row.days_to_close) else f"{row.days_to_close:.0f}"
        stages.add_row(
            row.stage,
            f"{row.configured:.0%}",
            f"{row.learned:.0%}",
            f"{row.closed:,}",
            f"{row.won:,}",
            days,
        )
    output_console().print(stages)
    for note in made.notes:
        click.echo(_("Note: {note}").format(note=note))


def _print_backtest(found: Backtest) -> None:
    from rich.table import Table

    origins = found.rows["origin"].nunique() if len(found.rows) else 0
    click.echo(
        _(
            "Back-test: the forecast made at {origins} past month end(s), each for the next "
            "{horizon} month(s), against what happened ({count} months compared)"
        ).format(origins=origins, horizon=found.horizon, count=len(found.rows))
    )
    table = Table()
    for header in (_("Forecast"), _("MAE"), _("MAPE"), _("Actual within the interval (80 %)")):
        table.add_column(header, justify="left" if header == _("Forecast") else "right")
    names = {
        "learned": _("Learned: won deals"),
        "weighted": _("Weighted pipeline: won deals"),
        "learned total": _("Learned: won deals and orders"),
    }
    for row in found.scores.itertuples(index=False):
        coverage = "—" if not math.isfinite(row.coverage) else f"{row.coverage:.0%}"
        mape = "—" if not math.isfinite(row.mape) else f"{row.mape:.0%}"
        mae = "—" if not math.isfinite(row.mae) else _money(row.mae)
        table.add_row(names[row.forecast], mae, mape, coverage)
    output_console().print(table)
    click.echo(verdict(found.scores))


COMMANDS = (forecast,)
