"""The ``lite`` command: what a workbook needs to run SalesFlow in xlwings Lite.

xlwings Lite keeps a workbook's Python code in the workbook: a ``requirements.txt`` (the
packages it installs into the browser's Python) and a ``main.py`` (whose worksheet functions
and scripts it registers). Where in the .xlsx file Lite stores them has not been seen yet
(docs/lite.md), so this command prints both texts, or writes them into a folder, with the
steps that put them into the workbook by hand."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import click

from salesflow_xl.cli.app import EXISTING_WORKBOOK, speak_language_of
from salesflow_xl.core.i18n import _

#: The xlwings the functions and scripts need in Lite: 0.36.17 brought ``xw.Caller`` and
#: ``xw.WithScript`` to Lite (docs/design/xlwings-lite.md §1.1); below 1.0, as Lite's own
#: advice is upper bounds, not pins.
XLWINGS = "xlwings>=0.36.17,<1.0"
#: The package's name on PyPI.
DISTRIBUTION = "salesflow-xl"

MAIN_PY = '''"""SalesFlow XL in xlwings Lite (written by `salesflow lite`).

The worksheet functions (=CLV, =FUNNEL, =RFM_SCORE ...) and the scripts (advance a deal, mark
it won or lost, log an activity, add a lead, refresh the dashboard ...) come from the
salesflow-xl package that requirements.txt installs: Lite registers what this module imports.
"""

from salesflow_udfs import *  # the worksheet functions
from salesflow_xl.lite.scripts import *  # the scripts
'''


def requirements(wheel_url: str | None = None) -> str:
    """The workbook's ``requirements.txt``: SalesFlow (from PyPI, or the wheel at
    ``wheel_url``) and xlwings."""
    return f"{wheel_url or DISTRIBUTION}\n{XLWINGS}\n"


def check_wheel_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A web address of a ``.whl`` file, as Lite's installer needs it."""
    if value is None:
        return None
    url = urlparse(value.strip())
    if url.scheme not in ("https", "http") or not url.netloc or not url.path.endswith(".whl"):
        raise click.BadParameter(
            _("{url} is not the web address of a wheel (https://….whl)").format(url=repr(value)),
            ctx,
            param,
        )
    return value.strip()


def steps(workbook: str, written: Path | None) -> list[str]:
    """The steps that put SalesFlow into the workbook with Lite, numbered by the caller."""
    where = (
        _("the file {path}").format(path=written / "requirements.txt")
        if written
        else _("the requirements.txt shown above")
    )
    main = (
        _("the file {path}").format(path=written / "main.py")
        if written
        else _("the main.py shown above")
    )
    return [
        _("In Excel: Home › Add-ins, search for xlwings and add xlwings Lite (free)."),
        _("Open {workbook} and click xlwings Lite on the Home tab.").format(workbook=workbook),
        _("In Lite's editor, replace the text of requirements.txt with {source}.").format(
            source=where
        ),
        _("Replace the text of main.py with {source}, then choose Restart in Lite's menu.").format(
            source=main
        ),
        _("Trust the workbook when Lite asks (once per workbook)."),
        _("Check: type =CLV(1000, 1, 24) into a cell; it shows 24000."),
        _(
            "Run the scripts from Lite's task pane, or press Ctrl+Shift+M (Cmd+Shift+M on a Mac) "
            "for App Mode: a button and a form for each."
        ),
    ]


@click.command()
@click.argument("workbook", type=EXISTING_WORKBOOK, required=False)
@click.option(
    "--wheel-url",
    callback=check_wheel_url,
    help="Install SalesFlow from this wheel's web address instead of PyPI.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write requirements.txt and main.py into this folder instead of printing them.",
)
def lite(workbook: Path | None, wheel_url: str | None, out: Path | None) -> None:
    """Show what a workbook needs to run SalesFlow in xlwings Lite (Excel in the browser, on
    Windows or macOS, without a Python install): its requirements.txt and main.py, and the
    steps that put them into the workbook.

    With WORKBOOK, the steps name it and speak its language. Lite stores its code inside the
    workbook, where this command cannot write it yet: paste the two texts into Lite's editor.

    Examples:

    \b
        salesflow lite Sales.xlsx
        salesflow lite --out lite-files
        salesflow lite --wheel-url https://example.com/salesflow_xl-0.1.0-py3-none-any.whl
    """
    if workbook is not None:
        speak_language_of(workbook)
    name = workbook.name if workbook is not None else _("your SalesFlow workbook")
    texts = {"requirements.txt": requirements(wheel_url), "main.py": MAIN_PY}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for file, text in texts.items():
            (out / file).write_text(text, encoding="utf-8", newline="\n")
        click.echo(_("Wrote {files} into {folder}.").format(files=", ".join(texts), folder=out))
    else:
        for file, text in texts.items():
            click.echo(f"{file}\n{'-' * len(file)}\n{text}")
    click.echo(_("Steps:"))
    for number, step in enumerate(steps(name, out), start=1):
        click.echo(f"  {number}. {step}")


COMMANDS = (lite,)
