"""Workbook commands: create (``new``), validate (``check``), report on (``report``, ``demo``)
and recalculate (``recalc``) a SalesFlow workbook."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from salesflow_xl.cli import progress, workbook_file
from salesflow_xl.cli.app import (
    DAY,
    EXISTING_WORKBOOK,
    JSON,
    WORKBOOK,
    lazy,
    output_console,
    strict_json,
    top_option,
)
from salesflow_xl.core import demo as demo_data
from salesflow_xl.core import i18n, presets
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.workbook import store

if TYPE_CHECKING:
    from salesflow_xl.core.dataset import SalesData

reader = lazy("salesflow_xl.workbook.reader")
report_module = lazy("salesflow_xl.core.report")
terminal = lazy("salesflow_xl.reports.terminal")
demo_language = lazy("salesflow_xl.core.demo_language")

PRESET = click.option(
    "--preset",
    type=click.Choice(list(presets.PRESETS), case_sensitive=False),
    default=presets.DEFAULT,
    show_default=True,
    help="The kind of business: its stages, lists and demo (docs/presets.md).",
)


def _language(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return i18n.normalize(value)
    except SalesflowError as error:
        raise click.BadParameter(f"{value!r}: use {' or '.join(i18n.LANGUAGES)}") from error


def _language_option(default: str | None, help_text: str) -> Callable[[Any], Any]:
    return click.option(
        "--lang",
        default=default,
        show_default=default is not None,
        callback=lambda ctx, param, value: None if value is None else _language(ctx, param, value),
        help=help_text,
    )


LANG = _language_option(i18n.DEFAULT, "The language: en or zh-CN (简体中文).")

# The template's openpyxl, the HTML page's matplotlib and LibreOffice are imported by the
# commands that need them: a ribbon action started from the command line does not wait.


@click.command()
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
    type=DAY,
    default=None,
    help=f"The report date (default {demo_data.DEMO_AS_OF}).",
)
@top_option()
@JSON
@click.option(
    "--html",
    "html_out",
    type=WORKBOOK,
    default=None,
    help="Also write the report with its charts as one self-contained HTML page.",
)
@PRESET
@LANG
def demo(
    scale: float,
    seed: int,
    as_of: datetime | None,
    top: int,
    as_json: bool,
    html_out: Path | None,
    preset: str,
    lang: str,
) -> None:
    """Build the demo business and print its sales report.

    The default demo is Ember & Oak, a one-person coffee roaster: 150 customers, 300 deals
    with their stage history, activities, 6 campaigns and about 2,000 orders over 18 months.
    --preset shows the demo business of another kind (services, trade, ecommerce); --lang
    zh-CN shows it in Chinese, names and report alike (the figures are the same).

    Examples:

    \b
        salesflow demo
        salesflow demo --json > report.json
        salesflow demo --html demo-report.html
        salesflow demo --preset ecommerce --lang zh-CN
    """
    day: date = as_of.date() if as_of else demo_data.DEMO_AS_OF
    kind = presets.preset(preset)
    with i18n.use(lang):
        business = "Ember & Oak" if kind is presets.B2B else i18n._(kind.title)
        show_report(
            lambda: demo_language.localized(
                demo_data.generate(scale=scale, seed=seed, as_of=day, preset=kind.key), lang
            ),
            top,
            as_json,
            html_out,
            i18n._("{business} (demo)").format(business=business),
        )


def show_report(
    load: Callable[[], SalesData], top: int, as_json: bool, html_out: Path | None, title: str
) -> None:
    """Load, compute and show a report: JSON on stdout with ``--json``, the HTML page with
    ``--html`` (then no terminal tables), else the terminal tables. Progress goes to stderr."""
    charts: list[str] = []
    if html_out and html_out.suffix.lower() not in (".html", ".htm"):
        raise SalesflowError(
            f"--html {html_out.name}: the report is a web page; give a file name ending in .html"
        )
    if html_out:
        from salesflow_xl.reports import (
            html as html_report,  # matplotlib: loaded only when a page is wanted
        )

        charts = list(html_report.chart_names())
    with progress.steps("Reading", 2 + len(charts)) as step:
        data = load()
        step(description="Computing the figures")
        report = report_module.build_report(data, top=top)
        page = ""
        if html_out:
            step(description="Drawing charts")
            page = html_report.render_page(report, title, lambda _: step())
    if as_json:
        click.echo(strict_json(report.to_dict()))
    if html_out:
        store.atomic_write(html_out, page.encode("utf-8"), keep_backup=False)
        click.echo(
            f"Wrote {html_out} ({len(charts)} charts, {len(page) / 1e6:.1f} MB): open it in "
            "any browser, it needs no network.",
            err=as_json,
        )
    elif not as_json:
        terminal.print_report(report, output_console())


@click.command()
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
@PRESET
@_language_option(i18n.DEFAULT, "The workbook's language: en or zh-CN (简体中文).")
def new(
    path: Path, with_demo: bool, scale: float, seed: int, force: bool, preset: str, lang: str
) -> None:
    """Create a new SalesFlow workbook.

    Without --demo the workbook is empty and its figures follow the calendar (the Settings'
    as-of date is blank: every figure is as of today). The demo's as-of date is pinned.

    Examples:

    \b
        salesflow new Sales.xlsx
        salesflow new Demo.xlsx --demo --scale 10
        salesflow new Shop.xlsx --preset ecommerce
        salesflow new 网店.xlsx --preset ecommerce --lang zh-CN
    """
    from salesflow_xl.workbook import template

    if path.suffix.lower() != ".xlsx":
        raise SalesflowError(f"{path.name}: a new workbook must end in .xlsx")
    if path.exists() and not force:
        raise SalesflowError(f"{path} exists already; use --force to replace it")
    if with_demo:
        data = demo_data.generate(scale=scale, seed=seed, preset=preset)
    else:
        data = template.blank(date.today(), preset)
    data = demo_language.localized(data, lang)
    with i18n.use(lang):
        store.save(path, template.render(data))
    click.echo(
        f"Created {path} with {len(data.customers):,} customers and {len(data.deals):,} deals."
    )


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
def check(path: Path) -> None:
    """Check every sheet, row and cell of a workbook; exit 1 if anything is wrong.

    Lists each problem with its sheet, row, column, the value found and what was expected.

    Example:

    \b
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


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
@top_option()
@JSON
@click.option(
    "--html",
    "html_out",
    type=WORKBOOK,
    default=None,
    help="Write the report with its charts as one self-contained HTML page.",
)
@_language_option(None, "The report's language: en or zh-CN (default: the workbook's).")
def report(path: Path, top: int, as_json: bool, html_out: Path | None, lang: str | None) -> None:
    """Print the sales report of a workbook (the same figures as its Dashboard).

    Examples:

    \b
        salesflow report Sales.xlsx
        salesflow report Sales.xlsx --json > report.json
        salesflow report Sales.xlsx --html report.html
    """
    from salesflow_xl.workbook import language

    with i18n.use(lang or language.of_bytes(path.read_bytes())):
        title = i18n._("SalesFlow report: {name}").format(name=path.stem)
        show_report(lambda: workbook_file.read(path), top, as_json, html_out, title)


@click.command()
@click.argument("path", type=EXISTING_WORKBOOK)
def recalc(path: Path) -> None:
    """Recalculate every formula with LibreOffice and store the results in the workbook.

    Formulas, formats, charts and everything else stay as they are; only the cells' computed
    values are refreshed, so programs that do not calculate show current figures.

    Example:

    \b
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


COMMANDS = (demo, new, check, report, recalc)
