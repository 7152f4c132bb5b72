"""Customer commands: probabilistic CLV (``clv``) and cohort retention (``cohorts``) from an
order history (a workbook, a CSV or a CDNOW file; SciPy and the models load only here), and
everything a workbook holds about one customer (``export-customer``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from salesflow_xl.cli import progress
from salesflow_xl.cli.app import (
    DAY,
    EXISTING_FILE,
    EXISTING_WORKBOOK,
    lazy,
    output_console,
    strict_json,
    top_option,
)
from salesflow_xl.core.i18n import N_, _

render = lazy("salesflow_xl.reports.terminal")
privacy = lazy("salesflow_xl.actions.privacy")

if TYPE_CHECKING:
    import pandas as pd

    from salesflow_xl.actions.privacy import CustomerRecord
    from salesflow_xl.core.clv.value import CustomerValueModel

#: The model's time units, as the figures name them.
UNITS = {"days": N_("days"), "weeks": N_("weeks"), "months": N_("months")}


@click.command()
@click.argument("source", type=EXISTING_FILE)
@click.option(
    "--unit",
    type=click.Choice(["days", "weeks", "months"]),
    default="weeks",
    show_default=True,
    help="Time unit of the model.",
)
@click.option(
    "--calibration-end",
    type=DAY,
    default=None,
    help="Fit on orders up to this date; compare predictions with what followed.",
)
@click.option(
    "--horizon", type=float, default=12.0, show_default=True, help="CLV horizon in months."
)
@click.option(
    "--discount", type=float, default=0.01, show_default=True, help="Monthly discount rate."
)
@click.option("--margin", type=float, default=1.0, show_default=True, help="Gross margin, 0–1.")
@top_option("Customers to list by CLV.")
@click.option("--json", "as_json", is_flag=True, help="Parameters and every customer as JSON.")
def clv(
    source: Path,
    unit: str,
    calibration_end: datetime | None,
    horizon: float,
    discount: float,
    margin: float,
    top: int,
    as_json: bool,
) -> None:
    """Probabilistic CLV: fit BG/NBD and Gamma-Gamma to an order history and predict each
    customer's purchases, chance of being alive and value over the horizon.

    SOURCE is a SalesFlow workbook, a CSV with customer_id, date and amount, or a CDNOW file.

    Examples:

    \b
        salesflow clv Sales.xlsx --horizon 12 --margin 0.45
        salesflow clv CDNOW_sample.txt --calibration-end 1997-09-30 --json
    """
    from salesflow_xl.cli.orders import load_orders
    from salesflow_xl.core.clv import value as clv_value
    from salesflow_xl.core.clv.summary import customer_summary

    orders, end = load_orders(source)
    cut = calibration_end.date() if calibration_end else None
    summary = customer_summary(orders, end, unit, calibration_end=cut)
    fitting = _("Fitting BG/NBD and Gamma-Gamma to {count} customers").format(
        count=f"{len(summary):,}"
    )
    with progress.steps(fitting, None):
        model = clv_value.fit(summary, unit)
        result = summary.join(clv_value.predict(model, summary, horizon, discount, margin))
    holdout = _holdout(model, summary, result, unit) if cut is not None else None
    warnings = clv_value.warnings(model)
    for warning in warnings:
        click.echo(_("Warning: {warning}").format(warning=warning), err=True)
    payload = {
        "unit": unit,
        "observation_end": end.isoformat(),
        "calibration_end": cut.isoformat() if cut else None,
        **_parameters(model),
        "horizon_months": horizon,
        "monthly_discount_rate": discount,
        "gross_margin": margin,
        "holdout": holdout,
        "warnings": warnings,
    }
    if as_json:
        rows = result.reset_index().to_dict(orient="records")
        payload["customers"] = [
            {k: (str(v) if k == "customer_id" else float(v)) for k, v in row.items()}
            for row in rows
        ]
        click.echo(strict_json(payload))
        return
    _print_clv(model, unit, holdout, horizon, result, top)


def _holdout(
    model: CustomerValueModel, summary: pd.DataFrame, result: pd.DataFrame, unit: str
) -> dict[str, Any]:
    """Predicted against actual repeat purchases after the calibration end; adds each
    customer's prediction to ``result`` as ``predicted_holdout``."""
    from salesflow_xl.core.clv import bgnbd

    duration = float(summary["duration_holdout"].iloc[0])
    predicted = bgnbd.expected_purchases(
        model.purchases, duration, summary["frequency"], summary["recency"], summary["T"]
    )
    result["predicted_holdout"] = predicted
    return {
        "weeks" if unit == "weeks" else unit: duration,
        "predicted_purchases": float(predicted.sum()),
        "actual_purchases": float(summary["frequency_holdout"].sum()),
    }


def _parameters(model: CustomerValueModel) -> dict[str, dict[str, float]]:
    """The fitted BG/NBD and Gamma-Gamma parameters, for JSON."""
    purchases, spend = model.purchases, model.spend
    return {
        "bgnbd": {
            "r": purchases.r,
            "alpha": purchases.alpha,
            "a": purchases.a,
            "b": purchases.b,
            "log_likelihood": purchases.log_likelihood,
            "customers": purchases.customers,
        },
        "gamma_gamma": {
            "p": spend.p,
            "q": spend.q,
            "v": spend.v,
            "log_likelihood": spend.log_likelihood,
            "customers": spend.customers,
            "left_out": spend.left_out,
        },
    }


def _print_clv(
    model: CustomerValueModel,
    unit: str,
    holdout: dict[str, Any] | None,
    horizon: float,
    result: pd.DataFrame,
    top: int,
) -> None:
    """The fitted models, the holdout comparison and the top customers, for a terminal."""
    purchases, spend = model.purchases, model.spend
    click.echo(
        _(
            "BG/NBD ({unit}): {parameters}  log-likelihood {log_likelihood}  "
            "({customers} customers)"
        ).format(
            unit=_(UNITS.get(unit, unit)),
            parameters=f"r={purchases.r:.4g} alpha={purchases.alpha:.4g} "
            f"a={purchases.a:.4g} b={purchases.b:.4g}",
            log_likelihood=f"{purchases.log_likelihood:,.1f}",
            customers=f"{purchases.customers:,}",
        )
    )
    click.echo(
        _(
            "Gamma-Gamma: {parameters}  log-likelihood {log_likelihood}  "
            "({customers} repeat buyers)"
        ).format(
            parameters=f"p={spend.p:.4g} q={spend.q:.4g} v={spend.v:.4g}",
            log_likelihood=f"{spend.log_likelihood:,.1f}",
            customers=f"{spend.customers:,}",
        )
    )
    if holdout:
        click.echo(
            _("Holdout: predicted {predicted} repeat purchases, actual {actual}").format(
                predicted=f"{holdout['predicted_purchases']:,.0f}",
                actual=f"{holdout['actual_purchases']:,.0f}",
            )
        )
    click.echo(
        _("Total CLV over {months} months: {total}").format(
            months=f"{horizon:g}", total=f"{result['clv'].sum():,.0f}"
        )
    )
    best = result.sort_values("clv", ascending=False).head(top).reset_index()
    output_console().print(
        render.table(
            _("Top {top} customers by predicted CLV").format(top=top),
            best,
            [
                ("customer_id", _("Customer"), render.text),
                ("frequency", _("Repeat buys"), render.number),
                ("probability_alive", _("P(alive)"), render.percent),
                ("expected_purchases", _("Expected buys"), render.number),
                ("expected_average_spend", _("Avg spend"), render.money),
                ("clv", _("CLV"), render.money),
            ],
        )
    )


@click.command()
@click.argument("source", type=EXISTING_FILE)
@click.option("--revenue", is_flag=True, help="Revenue retention instead of customers.")
@click.option("--json", "as_json", is_flag=True, help="The matrices as JSON.")
def cohorts(source: Path, revenue: bool, as_json: bool) -> None:
    """Cohort retention by first-purchase month: the share of each cohort buying again in
    each later month (or, with --revenue, its revenue relative to the first month).

    Examples:

    \b
        salesflow cohorts Sales.xlsx
        salesflow cohorts orders.csv --json
    """
    from salesflow_xl.cli.orders import load_orders
    from salesflow_xl.core.clv.cohorts import cohort_retention

    orders, end = load_orders(source)
    customers, money, sizes = cohort_retention(orders, end)
    if as_json:
        click.echo(strict_json(_cohorts_json(end, customers, money, sizes)))
    else:
        _print_cohorts(money if revenue else customers, sizes, revenue)


def _matrix(frame: pd.DataFrame) -> list[list[float | None]]:
    """A frame's values as rows of floats, NaN as None."""
    return [[None if v != v else float(v) for v in row] for row in frame.to_numpy()]


def _cohorts_json(
    end: date, customers: pd.DataFrame, money: pd.DataFrame, sizes: pd.Series
) -> dict[str, Any]:
    """Both retention matrices with their cohorts, sizes and months."""
    return {
        "as_of": end.isoformat(),
        "cohorts": list(sizes.index),
        "sizes": [int(v) for v in sizes],
        "months": [int(c) for c in customers.columns],
        "customer_retention": _matrix(customers),
        "revenue_retention": _matrix(money),
    }


def _print_cohorts(shown: pd.DataFrame, sizes: pd.Series, revenue: bool) -> None:
    """One retention matrix as tables that fit the terminal's width (80 columns when piped):
    every month is shown, the months folded into as many tables as needed, each titled with
    the months it holds, so no column is hidden and no cell cut."""
    console = output_console()
    per_table = max(3, (console.width - 22) // 6)  # month columns that fit beside the cohort
    months = list(shown.columns)
    if revenue:
        title = _("Revenue retention by first-purchase month")
    else:
        title = _("Customer retention by first-purchase month")
    for start in range(0, len(months), per_table):
        part = months[start : start + per_table]
        frame = shown[part].reset_index()
        frame.insert(1, "customers", sizes.to_numpy())
        folded = len(months) > per_table
        shown_months = _("{title} (months {first}–{last} of {months})").format(
            title=title, first=part[0], last=part[-1], months=months[-1]
        )
        console.print(
            render.table(
                shown_months if folded else title,
                frame,
                [
                    ("cohort", _("Cohort"), render.text),
                    ("customers", _("Size"), render.number),
                    *[(m, _("M{month}").format(month=m), render.whole_percent) for m in part],
                ],
            )
        )


@click.command("export-customer")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("customer")
@click.option("--json", "as_json", is_flag=True, help="Everything as strict JSON (see above).")
def export_customer(path: Path, customer: str, as_json: bool) -> None:
    """Everything the workbook holds about one person (a data-subject access request): the
    customer row, their deals, those deals' stage log, the activities on the deals or the
    customer, their orders and the campaigns named; each row with its sheet, row number, notes
    and every other cell as stored. CUSTOMER: an ID (C0042) or an e-mail address.

    --json: {"customer_id", "customer": {...}, "deals", "stage_log", "activities", "orders":
    [...], "campaigns": [names], "sources": [{"sheet", "rows"}]}; each row has "sheet", "row",
    its fields (dates ISO, blank null) and "other_columns" {header: value}.

    Examples:

    \b
        salesflow export-customer Sales.xlsx C0042
        salesflow export-customer Sales.xlsx anna@example.com --json > anna.json
    """
    from salesflow_xl.cli.app import speak_language_of
    from salesflow_xl.cli.workbook_file import no_cycle_collection
    from salesflow_xl.core import i18n
    from salesflow_xl.gateway import customer_export
    from salesflow_xl.workbook import language, reader, schema

    speak_language_of(path)
    content = path.read_bytes()
    with no_cycle_collection():  # the sheets' cells too: the cache keeps none
        snapshot = customer_export.check(reader.read_snapshot(content, path.name), path.name)
    with i18n.use_workbook(language.of_bytes(content)):  # sheets and headers as in the file
        export = customer_export.customer_export(snapshot, customer)
        if as_json:
            click.echo(strict_json(export.as_json()))
        else:
            specs = {key: schema.TABLES[key] for key in privacy.TABLES}
            _print_record(export.record, specs, path.name)


def _print_record(record: CustomerRecord, specs: dict[str, Any], source: str) -> None:
    """The customer's row field by field, a table per sheet of the rows about them (with the
    user's own columns), the campaigns named and the rows of each sheet."""
    import pandas as pd
    from rich.table import Table

    from salesflow_xl.core.dataset import RECORD_TYPES, column_kinds

    console, entry, spec = output_console(), record.customer, specs["customers"]
    title = _("{customer}: {sheet}, row {row}").format(
        customer=f"{entry.record.name} ({record.customer_id})", sheet=spec.sheet, row=entry.row
    )
    fields = Table(title=title, title_justify="left", title_style="bold", show_header=False)
    for name, value in entry.fields().items():
        fields.add_row(spec.header_of(name), _shown(value, name))
    for header, value in entry.other.items():
        fields.add_row(header, _shown(value))
    console.print(fields)
    for table in privacy.TABLES[1:]:
        spec, entries = specs[table], record.entries(table)
        ours = {c.header for c in spec.columns}
        own = list(dict.fromkeys(h for e in entries for h in e.other if h not in ours))
        shown = [
            [str(e.row or ""), *(_shown(v, k) for k, v in e.fields().items())]
            + [_shown(e.other.get(h)) for h in own]
            for e in entries
        ]
        headers = [_("Row"), *map(spec.header_of, column_kinds(RECORD_TYPES[table])), *own]
        frame = pd.DataFrame(shown, columns=headers, dtype=object)
        console.print(render.table(spec.sheet, frame, [(h, h, render.text) for h in headers]))
    if record.campaigns:
        names = ", ".join(record.campaigns)
        console.print(_("Campaigns these rows name: {campaigns}").format(campaigns=names))
    console.print(
        _("Rows about {customer} in {source}:").format(customer=record.customer_id, source=source)
    )
    for table, rows in record.sources().items():
        console.print(f"  {specs[table].sheet}: {', '.join(map(str, rows))}")


def _shown(value: Any, field: str = "") -> str:
    """A value as the export shows it: times to the minute, dates ISO, numbers grouped, a
    deal's status as its sheet words it."""
    from salesflow_xl.workbook import schema

    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return schema.word(value) if field == "status" else str(value)


COMMANDS = (clv, cohorts, export_customer)
