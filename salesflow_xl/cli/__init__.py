"""The ``salesflow`` command: a thin shell over the core. Every SalesFlow error becomes a one-line
message on stderr and exit code 1; nothing here computes a figure itself."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from salesflow_xl import __version__
from salesflow_xl.actions import deals
from salesflow_xl.actions.changes import Changes
from salesflow_xl.cli import progress
from salesflow_xl.core import demo as demo_data
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.report import build_report
from salesflow_xl.gateway.file import WorkbookFile
from salesflow_xl.reports import terminal as render
from salesflow_xl.reports.terminal import print_report
from salesflow_xl.workbook import reader, store

# Modules only some commands need (the model fits' SciPy, the template's openpyxl, the
# installer's xlwings, LibreOffice) are imported by those commands: a ribbon action started
# from the command line does not wait for them.

WORKBOOK = click.Path(dir_okay=False, path_type=Path)
EXISTING_WORKBOOK = click.Path(exists=True, dir_okay=False, path_type=Path)


class SalesflowGroup(click.Group):
    """Turns every :class:`SalesflowError` raised by a command into ``Error: message``, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SalesflowError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=SalesflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesflow")
def main() -> None:
    """SalesFlow XL: run a one-person company's sales process from its Excel workbook.

    Every ribbon action and report of the Excel add-in is a command here, working on the
    workbook file without Excel.
    """


@main.command()
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="Size multiplier: 1 is 150 customers and 300 deals.",
)
@click.option(
    "--seed",
    default=demo_data.DEMO_SEED,
    show_default=True,
    type=int,
    help="Random seed; the same seed gives the same business.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help=f"The report date (default {demo_data.DEMO_AS_OF}).",
)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many customers to list by CLV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--html",
    "html_out",
    type=WORKBOOK,
    default=None,
    help="Also write the report with its charts as one self-contained HTML page.",
)
def demo(
    scale: float, seed: int, as_of: Any, top: int, as_json: bool, html_out: Path | None
) -> None:
    """Build the demo business and print its sales report.

    The demo is Ember & Oak, a one-person coffee roaster: 150 customers, 300 deals with their
    stage history, activities, 6 campaigns and about 2,000 orders over 18 months.

    Example:

        salesflow demo

        salesflow demo --json > report.json

        salesflow demo --html demo-report.html
    """
    day: date = as_of.date() if as_of else demo_data.DEMO_AS_OF
    _report(
        lambda: demo_data.generate(scale=scale, seed=seed, as_of=day),
        top,
        as_json,
        html_out,
        "Ember & Oak (demo)",
    )


def _report(
    load: Callable[[], SalesData], top: int, as_json: bool, html_out: Path | None, title: str
) -> None:
    """Load, compute and show a report: JSON on stdout with ``--json``, the HTML page with
    ``--html`` (then no terminal tables), else the terminal tables. Progress goes to stderr."""
    charts: list[str] = []
    if html_out:
        from salesflow_xl.reports import (
            html as html_report,  # matplotlib: loaded only when a page is wanted
        )

        charts = list(html_report.chart_names())
    with progress.steps("Reading", 2 + len(charts)) as step:
        data = load()
        step(description="Computing the figures")
        report = build_report(data, top=top)
        page = ""
        if html_out:
            step(description="Drawing charts")
            page = html_report.render_page(report, title, lambda _: step())
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    if html_out:
        store.atomic_write(html_out, page.encode("utf-8"), keep_backup=False)
        click.echo(
            f"Wrote {html_out} ({len(charts)} charts, {len(page) / 1e6:.1f} MB): open it in "
            "any browser, it needs no network.",
            err=as_json,
        )
    elif not as_json:
        print_report(report, Console())


@main.command()
@click.argument("path", type=WORKBOOK)
@click.option("--demo", "with_demo", is_flag=True, help="Fill it with the demo business.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=float,
    help="With --demo: size multiplier (1 = 300 deals).",
)
@click.option(
    "--seed",
    default=demo_data.DEMO_SEED,
    show_default=True,
    type=int,
    help="With --demo: random seed.",
)
@click.option("--force", is_flag=True, help="Replace an existing file (a backup is kept).")
def new(path: Path, with_demo: bool, scale: float, seed: int, force: bool) -> None:
    """Create a new SalesFlow workbook.

    Without --demo the workbook is empty, with its as-of date set to today.

    Example:

        salesflow new Sales.xlsx

        salesflow new Demo.xlsx --demo --scale 10
    """
    from salesflow_xl.workbook import template

    if path.suffix.lower() != ".xlsx":
        raise SalesflowError(f"{path.name}: a new workbook must end in .xlsx")
    if path.exists() and not force:
        raise SalesflowError(f"{path} exists already; use --force to replace it")
    data = demo_data.generate(scale=scale, seed=seed) if with_demo else template.blank(date.today())
    store.save(path, template.render(data))
    click.echo(
        f"Created {path} with {len(data.customers):,} customers and {len(data.deals):,} deals."
    )


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
def check(path: Path) -> None:
    """Check every sheet, row and cell of a workbook; exit 1 if anything is wrong.

    Lists each problem with its sheet, row, column, the value found and what was expected.

    Example:

        salesflow check Sales.xlsx
    """

    data, problems = reader.read(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.ClickException(f"{path.name}: {len(problems)} problem(s)")
    click.echo(
        f"{path.name}: OK — {len(data.customers):,} customers, {len(data.deals):,} deals, "
        f"{len(data.stage_log):,} stage changes, {len(data.activities):,} activities, "
        f"{len(data.campaigns):,} campaigns, {len(data.orders):,} orders"
    )


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many customers to list by CLV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--html",
    "html_out",
    type=WORKBOOK,
    default=None,
    help="Write the report with its charts as one self-contained HTML page.",
)
def report(path: Path, top: int, as_json: bool, html_out: Path | None) -> None:
    """Print the sales report of a workbook (the same figures as its Dashboard).

    Example:

        salesflow report Sales.xlsx

        salesflow report Sales.xlsx --json > report.json

        salesflow report Sales.xlsx --html report.html
    """
    _report(lambda: reader.load(path), top, as_json, html_out, f"SalesFlow report: {path.stem}")


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
def recalc(path: Path) -> None:
    """Recalculate every formula with LibreOffice and store the results in the workbook.

    Formulas, formats, charts and everything else stay as they are; only the cells' computed
    values are refreshed, so programs that do not calculate show current figures.

    Example:

        salesflow recalc Sales.xlsx
    """
    from salesflow_xl.recalc import libreoffice as recalc_module

    started = time.perf_counter()
    with store.writer_lock(path), progress.steps("Recalculating", 4) as step:
        result = recalc_module.recalculate(
            path.read_bytes(), suffix=path.suffix, on_step=lambda d: step(description=d)
        )
        store.atomic_write(path, result.content)
    seconds = time.perf_counter() - started
    click.echo(f"Recalculated {result.formulas:,} formulas in {seconds:.1f} s.")
    if result.errors:
        for cell, error in list(result.errors.items())[:20]:
            click.echo(f"  {cell}: {error}")
        raise click.ClickException(f"{len(result.errors)} cell(s) hold an error value")


# -- actions: the ribbon's buttons on the file ---------------------------------------------------

AT = click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    default=None,
    help="The time to record (default: now).",
)
NOTE = click.option("--note", default=None, help="A note for the stage log.")
DEAL_IDS = click.argument("deal_ids", nargs=-1, required=True)


def _now(at: datetime | None) -> datetime:
    return at or datetime.now().replace(second=0, microsecond=0)


def _act(path: Path, plan: Callable[[SalesData], Changes]) -> Changes:
    with progress.steps(f"Reading {path.name}", 3) as step:
        changes = WorkbookFile(path).run(plan, lambda c: c, lambda d: step(description=d))
    for line in changes.summary:
        click.echo(line)
    return changes


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@NOTE
@AT
def advance(path: Path, deal_ids: tuple[str, ...], note: str | None, at: datetime | None) -> None:
    """Move deals to their next stage (from the last open stage: won).

    Example:

        salesflow advance Sales.xlsx D00016 D00045
    """
    _act(path, lambda data: deals.advance(data, deal_ids, _now(at), note))


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@click.option("--to", "stage", required=True, help="The stage to move to.")
@NOTE
@AT
def move(
    path: Path, deal_ids: tuple[str, ...], stage: str, note: str | None, at: datetime | None
) -> None:
    """Move deals to a named stage, forward or back.

    Example:

        salesflow move Sales.xlsx D00016 --to Nurturing --note "Needs a new offer"
    """
    _act(path, lambda data: deals.move(data, deal_ids, stage, _now(at), note))


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@NOTE
@AT
def won(path: Path, deal_ids: tuple[str, ...], note: str | None, at: datetime | None) -> None:
    """Mark deals won.

    Example:

        salesflow won Sales.xlsx D00016
    """
    _act(path, lambda data: deals.won(data, deal_ids, _now(at), note))


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@click.option("--reason", required=True, help="Why: one of the workbook's lost reasons.")
@NOTE
@AT
def lost(
    path: Path, deal_ids: tuple[str, ...], reason: str, note: str | None, at: datetime | None
) -> None:
    """Mark deals lost, with a reason from the workbook's list.

    Example:

        salesflow lost Sales.xlsx D00045 --reason Price
    """
    _act(path, lambda data: deals.lost(data, deal_ids, reason, _now(at), note))


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@DEAL_IDS
@click.option(
    "--to",
    "stage",
    default=None,
    help="The open stage to reopen into (default: the stage it was closed from).",
)
@NOTE
@AT
def reopen(
    path: Path, deal_ids: tuple[str, ...], stage: str | None, note: str | None, at: datetime | None
) -> None:
    """Reopen won or lost deals.

    Example:

        salesflow reopen Sales.xlsx D00045
    """
    _act(path, lambda data: deals.reopen(data, deal_ids, _now(at), stage, note))


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("deal_id")
@click.option("--type", "kind", required=True, help="Call, E-mail, Meeting … (the Lists sheet).")
@click.option("--note", default=None, help="What happened.")
@click.option(
    "--next",
    "next_follow_up",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The next follow-up date.",
)
@AT
def log(
    path: Path,
    deal_id: str,
    kind: str,
    note: str | None,
    next_follow_up: datetime | None,
    at: datetime | None,
) -> None:
    """Log an activity done on a deal; it resets the deal's rotting clock.

    Example:

        salesflow log Sales.xlsx D00016 --type Call --note "Wants samples" --next 2026-07-03
    """
    from salesflow_xl.actions import activities

    follow = next_follow_up.date() if next_follow_up else None
    _act(path, lambda data: activities.log_activity(data, deal_id, kind, _now(at), note, follow))


@main.command("add-lead")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option("--name", default=None, help="The contact's name.")
@click.option("--company", default=None)
@click.option("--email", default=None)
@click.option("--phone", default=None)
@click.option("--segment", default=None, help="A segment from the Lists sheet.")
@click.option("--channel", default=None, help="A channel from the Lists sheet.")
@click.option("--campaign", default=None, help="A campaign from the Campaigns sheet.")
@click.option("--title", default=None, help="The deal's title.")
@click.option("--value", type=float, default=None, help="The deal's expected value.")
@AT
def add_lead(path: Path, at: datetime | None, **fields: Any) -> None:
    """Add a lead: a customer and a deal in the first stage (or merge into the same customer).

    Example:

        salesflow add-lead Sales.xlsx --name "Ada Park" --company "Park Café" --value 3600
    """
    from salesflow_xl.actions import leads

    lead = leads.Lead(**fields)
    _act(path, lambda data: leads.add_lead(data, lead, _now(at)))


@main.command("import")
@click.argument("path", type=EXISTING_WORKBOOK)
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Map a lead field to a CSV column, e.g. --map name=Contact (repeatable).",
)
@click.option(
    "--encoding", default=None, help="The file's encoding (default: UTF-8, else GB18030)."
)
@AT
def import_(
    path: Path,
    csv_file: Path,
    mapping: tuple[str, ...],
    encoding: str | None,
    at: datetime | None,
) -> None:
    """Import leads from a CSV file, skipping and merging duplicates.

    Columns are recognised by common names (name, company, e-mail, phone, segment, channel,
    campaign, title, value); rows matching a customer by e-mail, phone or name + company are
    merged into it.

    Example:

        salesflow import Sales.xlsx leads.csv --map name="Full name"
    """
    from salesflow_xl.actions import leads, safe_text

    pairs = {}
    for item in mapping:
        field, _, column = item.partition("=")
        if not column:
            raise click.BadParameter(f"{item!r} is not FIELD=COLUMN", param_hint="--map")
        pairs[field.strip()] = column.strip()
    text = safe_text.decode(csv_file.read_bytes(), csv_file.name, encoding)
    rows = leads.parse_csv(text, pairs or None)
    report: dict[str, leads.ImportReport] = {}

    def plan(data: SalesData) -> Changes:
        changes, report["result"] = leads.import_leads(data, rows, _now(at))
        return changes

    _act(path, plan)
    result = report["result"]
    for title, lines in (
        ("Added", result.added),
        ("Merged", result.merged),
        ("Skipped", result.skipped),
    ):
        for line in lines:
            click.echo(f"  {title}: {line}")


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The date to list for (default: the workbook's as-of date).",
)
def followups(path: Path, as_of: datetime | None) -> None:
    """List the activities and deal follow-ups due, oldest first.

    Example:

        salesflow followups Sales.xlsx
    """
    from salesflow_xl.actions import activities

    data = WorkbookFile(path).read()
    due = activities.followups(data, as_of.date() if as_of else None)
    if due.empty:
        click.echo("Nothing is due.")
        return
    for row in due.itertuples(index=False):
        late = f"{row.days_overdue} day(s) late" if row.days_overdue else "due today"
        click.echo(f"{row.due:%Y-%m-%d}  {late:<16} {row.deal_id or '':<8} {row.what}")


@main.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The new as-of date (default: today).",
)
def refresh(path: Path, as_of: datetime | None) -> None:
    """Set the workbook's as-of date to today and bring every computed figure up to date.

    Example:

        salesflow refresh Sales.xlsx
    """
    from salesflow_xl.actions import activities

    day = as_of.date() if as_of else date.today()
    _act(path, lambda data: activities.refresh(data, day))


@main.command()
@click.option("--dry-run", is_flag=True, help="Show the steps without running them.")
def install(dry_run: bool) -> None:
    """Install the SalesFlow ribbon add-in into Excel (Windows and macOS).

    Installs the xlwings add-in, puts SalesFlow.xlam into Excel's start-up folder and points
    xlwings at this Python. On Linux, where there is no Excel, it shows what it would do.

    Example:

        salesflow install
    """
    from salesflow_xl.addin import install as installer

    system = platform.system()
    steps = installer.plan(system, installer.current_python(), installer.addin_file(), Path.home())
    runs = system in installer.XLSTART and not dry_run
    if not runs:
        if system not in installer.XLSTART:
            click.echo(f"Excel does not run on {system}; on Windows or macOS this would:")
        else:
            click.echo("Would run:")
    for number, step in enumerate(steps, start=1):
        detail = " ".join(step.command) if step.command else f"write {step.path}"
        click.echo(f"  {number}. {step.description}\n     {detail}")
    if runs:
        installer.execute(steps)
        click.echo("Installed. Restart Excel: the SalesFlow tab appears on the ribbon.")


# -- customer value ------------------------------------------------------------------------------


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--unit",
    type=click.Choice(["days", "weeks", "months"]),
    default="weeks",
    show_default=True,
    help="Time unit of the model.",
)
@click.option(
    "--calibration-end",
    type=click.DateTime(["%Y-%m-%d"]),
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
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Customers to list by CLV.",
)
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

    Example:

        salesflow clv Sales.xlsx --horizon 12 --margin 0.45

        salesflow clv CDNOW_sample.txt --calibration-end 1997-09-30 --json
    """
    from salesflow_xl.cli.orders import load_orders
    from salesflow_xl.core.clv import bgnbd
    from salesflow_xl.core.clv import value as clv_value
    from salesflow_xl.core.clv.summary import customer_summary

    orders, end = load_orders(source)
    cut = calibration_end.date() if calibration_end else None
    summary = customer_summary(orders, end, unit, calibration_end=cut)
    with progress.steps(f"Fitting BG/NBD and Gamma-Gamma to {len(summary):,} customers", None):
        model = clv_value.fit(summary, unit)
        result = summary.join(clv_value.predict(model, summary, horizon, discount, margin))
    holdout = None
    if cut is not None:
        duration = float(summary["duration_holdout"].iloc[0])
        predicted = bgnbd.expected_purchases(
            model.purchases, duration, summary["frequency"], summary["recency"], summary["T"]
        )
        result["predicted_holdout"] = predicted
        holdout = {
            "weeks" if unit == "weeks" else unit: duration,
            "predicted_purchases": float(predicted.sum()),
            "actual_purchases": float(summary["frequency_holdout"].sum()),
        }
    purchases, spend = model.purchases, model.spend
    payload = {
        "unit": unit,
        "observation_end": end.isoformat(),
        "calibration_end": cut.isoformat() if cut else None,
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
        },
        "horizon_months": horizon,
        "monthly_discount_rate": discount,
        "gross_margin": margin,
        "holdout": holdout,
    }
    if as_json:
        rows = result.reset_index().to_dict(orient="records")
        payload["customers"] = [
            {k: (str(v) if k == "customer_id" else float(v)) for k, v in row.items()}
            for row in rows
        ]
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(
        f"BG/NBD ({unit}): r={purchases.r:.4g} alpha={purchases.alpha:.4g} "
        f"a={purchases.a:.4g} b={purchases.b:.4g}  log-likelihood "
        f"{purchases.log_likelihood:,.1f}  ({purchases.customers:,} customers)"
    )
    click.echo(
        f"Gamma-Gamma: p={spend.p:.4g} q={spend.q:.4g} v={spend.v:.4g}  log-likelihood "
        f"{spend.log_likelihood:,.1f}  ({spend.customers:,} repeat buyers)"
    )
    if holdout:
        click.echo(
            f"Holdout: predicted {holdout['predicted_purchases']:,.0f} repeat purchases, "
            f"actual {holdout['actual_purchases']:,.0f}"
        )
    click.echo(f"Total CLV over {horizon:g} months: {result['clv'].sum():,.0f}")
    best = result.sort_values("clv", ascending=False).head(top).reset_index()
    Console().print(
        render.table(
            f"Top {top} customers by predicted CLV",
            best,
            [
                ("customer_id", "Customer", render.text),
                ("frequency", "Repeat buys", render.number),
                ("probability_alive", "P(alive)", render.percent),
                ("expected_purchases", "Expected buys", render.number),
                ("expected_average_spend", "Avg spend", render.money),
                ("clv", "CLV", render.money),
            ],
        )
    )


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--revenue", is_flag=True, help="Revenue retention instead of customers.")
@click.option("--json", "as_json", is_flag=True, help="The matrices as JSON.")
def cohorts(source: Path, revenue: bool, as_json: bool) -> None:
    """Cohort retention by first-purchase month: the share of each cohort buying again in
    each later month (or, with --revenue, its revenue relative to the first month).

    Example:

        salesflow cohorts Sales.xlsx

        salesflow cohorts orders.csv --json
    """
    from salesflow_xl.cli.orders import load_orders
    from salesflow_xl.core.clv.cohorts import cohort_retention

    orders, end = load_orders(source)
    customers, money, sizes = cohort_retention(orders, end)

    def matrix(frame: Any) -> list[list[float | None]]:
        return [[None if v != v else float(v) for v in row] for row in frame.to_numpy()]

    if as_json:
        click.echo(
            json.dumps(
                {
                    "as_of": end.isoformat(),
                    "cohorts": list(sizes.index),
                    "sizes": [int(v) for v in sizes],
                    "months": [int(c) for c in customers.columns],
                    "customer_retention": matrix(customers),
                    "revenue_retention": matrix(money),
                },
                indent=2,
            )
        )
        return
    shown = money if revenue else customers
    console = Console()
    fit = max(3, (console.width - 22) // 6)  # the months that fit on this terminal
    months = [c for c in shown.columns if c <= min(12, fit)]
    frame = shown[months].reset_index()
    frame.insert(1, "customers", sizes.to_numpy())
    console.print(
        render.table(
            ("Revenue" if revenue else "Customer") + " retention by first-purchase month",
            frame,
            [
                ("cohort", "Cohort", render.text),
                ("customers", "Size", render.number),
                *[(m, f"M{m}", render.whole_percent) for m in months],
            ],
        )
    )
