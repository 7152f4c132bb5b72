"""Workbook commands: create (``new``), validate (``check``), report on (``report``, ``demo``)
and recalculate (``recalc``) a SalesFlow workbook."""

from __future__ import annotations

import dataclasses
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
    choose_language,
    language_chosen,
    language_code,
    lazy,
    output_console,
    speak_language_of,
    strict_json,
    top_option,
)
from salesflow_xl.core import demo as demo_data
from salesflow_xl.core import i18n, presets
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import _
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


def _language_option(help_text: str) -> Callable[[Any], Any]:
    """The command's own ``--lang``: it wins over ``salesflow --lang`` (and SALESFLOW_LANG)."""
    return click.option("--lang", default=None, callback=language_code, help=help_text)


def _chosen_language(lang: str | None) -> str:
    """The language of a command that opens no workbook: its own ``--lang``, else the one
    chosen for all commands (``salesflow --lang``, SALESFLOW_LANG), else English."""
    if lang is not None:
        choose_language(lang)
    return i18n.current()


LANG = _language_option(
    "The language: en or zh-CN (简体中文) (default: salesflow --lang, else en)."
)

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
    lang: str | None,
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
    lang = _chosen_language(lang)
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
            _("--html {name}: the report is a web page; give a file name ending in .html").format(
                name=html_out.name
            )
        )
    if html_out:
        from salesflow_xl.reports import (
            html as html_report,  # matplotlib: loaded only when a page is wanted
        )

        charts = list(html_report.chart_names())
    with progress.steps(_("Reading"), 2 + len(charts)) as step:
        data = load()
        step(description=_("Computing the figures"))
        months = html_report.REVENUE_MONTHS if html_out else 0  # simulated: for the page only
        report = report_module.build_report(data, top=top, revenue_months=months)
        page = ""
        if html_out:
            step(description=_("Drawing charts"))
            page = html_report.render_page(report, title, lambda _chart: step())
    if as_json:
        click.echo(strict_json(report.to_dict()))
    if html_out:
        store.atomic_write(html_out, page.encode("utf-8"), keep_backup=False)
        click.echo(
            _(
                "Wrote {path} ({charts} charts, {size} MB): open it in any browser, it needs no "
                "network."
            ).format(path=html_out, charts=len(charts), size=f"{len(page) / 1e6:.1f}"),
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
@_language_option(
    "The workbook's language: en or zh-CN (简体中文) (default: salesflow --lang, else en)."
)
@click.option(
    "--currency",
    default=None,
    metavar="SYMBOL",
    help="The symbol before money amounts, e.g. ¥, $ or € (default: ¥ in Chinese, none in "
    "English; '' for none).",
)
def new(
    path: Path,
    with_demo: bool,
    scale: float,
    seed: int,
    force: bool,
    preset: str,
    lang: str | None,
    currency: str | None,
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
        salesflow new Sales.xlsx --currency €
    """
    from salesflow_xl.workbook import schema, template

    # --lang here is the workbook's; messages keep a language chosen for every command
    lang = lang or (i18n.current() if language_chosen() else i18n.DEFAULT)
    if not language_chosen():
        choose_language(lang)
    if currency is not None and not schema.is_currency_symbol(currency.strip()):
        raise click.BadParameter(
            _("{value}: at most {count} characters, no quote").format(
                value=repr(currency), count=schema.MAX_CURRENCY_SYMBOL
            ),
            param_hint="--currency",
        )
    if path.suffix.lower() != ".xlsx":
        raise SalesflowError(_("{name}: a new workbook must end in .xlsx").format(name=path.name))
    if path.exists() and not force:
        raise SalesflowError(
            _("{path} exists already; use --force to replace it").format(path=path)
        )
    if with_demo:
        data = demo_data.generate(scale=scale, seed=seed, preset=preset)
    else:
        data = template.blank(date.today(), preset)
    data = demo_language.localized(data, lang)
    if currency is not None:
        data = dataclasses.replace(
            data, settings=dataclasses.replace(data.settings, currency=currency.strip())
        )
    with i18n.use_workbook(lang):
        store.save(path, template.render(data))
    click.echo(
        _("Created {path} with {customers} customers and {deals} deals.").format(
            path=path, customers=f"{len(data.customers):,}", deals=f"{len(data.deals):,}"
        )
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
    speak_language_of(path)
    data, problems = reader.read(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.ClickException(
            _("{name}: {count} problem(s)").format(name=path.name, count=len(problems))
        )
    click.echo(
        _(
            "{name}: OK — {customers} customers, {deals} deals, {stage_changes} stage changes, "
            "{activities} activities, {campaigns} campaigns, {orders} orders"
        ).format(
            name=path.name,
            customers=f"{len(data.customers):,}",
            deals=f"{len(data.deals):,}",
            stage_changes=f"{len(data.stage_log):,}",
            activities=f"{len(data.activities):,}",
            campaigns=f"{len(data.campaigns):,}",
            orders=f"{len(data.orders):,}",
        )
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
@_language_option(
    "The report's language: en or zh-CN (default: salesflow --lang, else the workbook's)."
)
def report(path: Path, top: int, as_json: bool, html_out: Path | None, lang: str | None) -> None:
    """Print the sales report of a workbook (the same figures as its Dashboard).

    Examples:

    \b
        salesflow report Sales.xlsx
        salesflow report Sales.xlsx --json > report.json
        salesflow report Sales.xlsx --html report.html
    """
    if lang is not None:
        choose_language(lang)
    speak_language_of(path)  # unless a language was chosen
    title = _("SalesFlow report: {name}").format(name=path.stem)
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

    speak_language_of(path)
    started = time.perf_counter()
    with store.writer_lock(path), progress.steps(_("Recalculating"), 4) as step:
        result = recalc_module.recalculate(
            path.read_bytes(), suffix=path.suffix, on_step=lambda d: step(description=d)
        )
        store.atomic_write(path, result.content)
    seconds = time.perf_counter() - started
    click.echo(
        _("Recalculated {count} formulas in {seconds} s.").format(
            count=f"{result.formulas:,}", seconds=f"{seconds:.1f}"
        )
    )
    if result.errors:
        for cell, error in list(result.errors.items())[:20]:
            click.echo(f"  {cell}: {error}")
        raise click.ClickException(
            _("{count} cell(s) hold an error value").format(count=len(result.errors))
        )


COMMANDS = (demo, new, check, report, recalc)
