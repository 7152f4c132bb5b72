"""The ``salesflow`` group and what its commands share: path types, common options, the language
a command speaks, and the translation of every :class:`SalesflowError` into a one-line message
and exit code 1.

The language: ``salesflow --lang zh-CN COMMAND`` (or ``SALESFLOW_LANG=zh-CN``) chooses it for
the whole command. Without that choice a command speaks English until it opens a workbook, and
from then on the workbook's language (:func:`speak_language_of`), so its summary, its errors and
everything it prints after are in the language of the workbook it works on."""

from __future__ import annotations

import calendar
import contextvars
import errno
import importlib.util
import os
import re
import sys
import types
from datetime import datetime, timedelta
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from salesflow_xl import __version__
from salesflow_xl.core import i18n, json_text, limits
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.i18n import N_, _

if TYPE_CHECKING:  # rich is imported where tables are printed
    from rich.console import Console


def lazy(name: str) -> types.ModuleType:
    """Module ``name``, loaded when first used (the standard library's LazyLoader): commands
    name the actions and reports they call at the top, yet ``salesflow --help`` or a typing
    mistake loads no pandas."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


WORKBOOK = click.Path(dir_okay=False, path_type=Path)
EXISTING_WORKBOOK = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


#: The months' names, as a date that does not exist names its month.
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


class Moment(click.ParamType):
    """A date (``2026-07-03``), or with ``time`` also a time (``2026-07-03 14:30``), as a
    datetime; refuses with what is wrong: the form, a day that does not exist, or a date
    outside Excel's 1900-01-01 … 9999-12-31."""

    name = "date"
    FORM = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?")

    def __init__(self, time: bool = False) -> None:
        self.time = time

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        match = self.FORM.fullmatch(text)
        if match is None or (match.group(4) and not self.time):
            example = _("2026-07-03 or 2026-07-03 14:30") if self.time else "2026-07-03"
            self.fail(
                _("{text} is not a date like {example}").format(text=repr(text), example=example),
                param,
                ctx,
            )
        year, month, day = (int(g) for g in match.groups()[:3])
        hour, minute = (int(g) for g in match.groups(default="0")[3:])
        if not 1 <= month <= 12:
            self.fail(
                _("{text}: there is no month {month}").format(text=text, month=month), param, ctx
            )
        if year >= 1 and not 1 <= day <= calendar.monthrange(year, month)[1]:
            days = calendar.monthrange(year, month)[1]
            self.fail(
                _("{text} does not exist: {name} {year} has {days} days").format(
                    text=text, name=_(MONTHS[month - 1]), year=year, days=days
                ),
                param,
                ctx,
            )
        if not limits.FIRST_DAY.year <= year <= limits.LAST_DAY.year:
            self.fail(
                _("{text} is outside Excel's dates ({first} to {last})").format(
                    text=text, first=limits.FIRST_DAY, last=limits.LAST_DAY
                ),
                param,
                ctx,
            )
        if hour > 23 or minute > 59:
            self.fail(
                _("{text}: {time} is not a time of day").format(
                    text=text, time=f"{hour}:{minute:02d}"
                ),
                param,
                ctx,
            )
        return datetime(year, month, day, hour, minute)


DAY = Moment()

AT = click.option(
    "--at",
    "at",
    type=Moment(time=True),
    default=None,
    help="The time to record, YYYY-MM-DD [HH:MM] (default: now).",
)
NOTE = click.option("--note", default=None, help="A note for the stage log.")
ENCODING = click.option(
    "--encoding",
    default=None,
    help="The file's encoding, e.g. cp1252 (default: found from the file, and reported).",
)


def column_map(mapping: tuple[str, ...]) -> dict[str, str]:
    """``--map FIELD=COLUMN`` options as {field: column}."""
    pairs = {}
    for item in mapping:
        field, _sep, column = item.partition("=")
        if not column:
            raise click.BadParameter(
                _("{item} is not FIELD=COLUMN").format(item=repr(item)), param_hint="--map"
            )
        pairs[field.strip()] = column.strip()
    return pairs


def say_encoding(note: str | None) -> None:
    """Tell on stderr which encoding a file was read in, when it was not UTF-8."""
    if note:
        click.echo(_("{note} If names look wrong, give --encoding.").format(note=note), err=True)


DEAL_IDS = click.argument("deal_ids", nargs=-1, required=True)
JSON = click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")


def top_option(help_text: str = "How many customers to list by CLV.") -> Any:
    """``--top N`` (at least 1, default 10)."""
    return click.option(
        "--top", default=10, show_default=True, type=click.IntRange(min=1), help=help_text
    )


def strict_json(payload: Any) -> str:
    """``payload`` as strict JSON (RFC 8259): a number that is not finite becomes null, as the
    report's "cannot be computed" figures are; never ``NaN`` or ``Infinity``
    (:func:`salesflow_xl.core.json_text.strict_json`, which the ribbon writes too)."""
    return json_text.strict_json(payload)


def output_console() -> Console:
    """The console tables are printed on: the terminal's width on a terminal (or ``COLUMNS``
    when set); piped or redirected, wide enough for any table, so no cell is cut (rich would
    take 80 columns)."""
    from rich.console import Console

    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PIPED_WIDTH)


#: The width of piped output: tables take their natural width up to this.
PIPED_WIDTH = 1000


def now(at: datetime | None) -> datetime:
    """The time an action records: ``--at`` if given, else this minute. A time after today
    has not happened yet and is refused."""
    current = datetime.now().replace(second=0, microsecond=0)
    if at is not None and at.date() > current.date() + timedelta(days=1):
        raise SalesflowError(
            _("--at {day} is in the future: record what has happened").format(day=f"{at:%Y-%m-%d}")
        )
    return at or current


# -- the language a command speaks -----------------------------------------------------------

#: Whether the user chose the command's language (``--lang``, ``SALESFLOW_LANG``, or the own
#: ``--lang`` of new, demo and report); if not, the command speaks the language of the
#: workbook it opens. Each command runs in a context of its own (:meth:`SalesflowGroup.main`).
_CHOSEN: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "salesflow_cli_language_chosen", default=False
)


def language_code(_ctx: click.Context | None, _param: click.Parameter | None, value: Any) -> Any:
    """A ``--lang`` value as its language code (None: not given); a usage error naming the
    languages there are."""
    if value is None:
        return None
    try:
        return i18n.normalize(value)
    except SalesflowError as error:
        languages = reduce(
            lambda first, second: _("{first} or {second}").format(first=first, second=second),
            i18n.LANGUAGES,
        )
        raise click.BadParameter(
            _("{value}: use {languages}").format(value=repr(value), languages=languages)
        ) from error


def choose_language(code: str) -> None:
    """The user's choice: the command speaks ``code`` from now on, whatever workbook it opens."""
    i18n.choose(code)
    _CHOSEN.set(True)


def language_chosen() -> bool:
    """Whether the user chose the command's language (see :func:`choose_language`)."""
    return _CHOSEN.get()


def speak_language_of(path: Path) -> None:
    """From now on speak the language of the workbook at ``path`` (read from its zip directory
    and workbook part only), unless the user chose one."""
    if not _CHOSEN.get():
        from salesflow_xl.workbook import language

        i18n.choose(language.of_path(path))


# -- the group ----------------------------------------------------------------------------------


class SalesflowGroup(click.Group):
    """Every error a user can cause is one line on stderr: ``Error: message``. A
    :class:`SalesflowError` or a file the system refuses exits 1; a command typed wrong
    (a usage error: missing argument, unknown option, a value of the wrong form) exits 2.

    Each command runs in a copy of the caller's context: the language it chooses
    (:func:`salesflow_xl.core.i18n.choose`) is its own and ends with it, also when a program
    (or a test) runs many commands in one process."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SalesflowError as error:
            raise click.ClickException(str(error)) from error
        except OSError as error:  # a folder that does not exist, a disk that is full …
            if error.errno == errno.EPIPE:
                raise  # output piped into "head": click ends quietly
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from error

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        return contextvars.copy_context().run(
            self._main, *args, standalone_mode=standalone_mode, **kwargs
        )

    def _main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:  # "salesflow" alone: the help
            click.echo(error.format_message())
            sys.exit(0)
        except click.UsageError as error:
            message = error.format_message()
            if error.ctx:
                line = _("Error: {message} (see '{command} --help')").format(
                    message=message, command=error.ctx.command_path
                )
            else:
                line = _("Error: {message}").format(message=message)
            click.echo(line, err=True)
            sys.exit(USAGE_ERROR)
        except click.ClickException as error:  # as click shows it, with our "Error:"
            color = error.ctx.color if getattr(error, "ctx", None) else None
            click.echo(
                _("Error: {message}").format(message=error.format_message()),
                err=True,
                color=color,
            )
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo(_("Aborted."), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


#: The exit code of a command typed wrong (click's and POSIX's convention); other errors exit 1.
USAGE_ERROR = 2


@click.group(cls=SalesflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesflow")
@click.option(
    "--lang",
    envvar="SALESFLOW_LANG",
    show_envvar=True,
    default=None,
    callback=language_code,
    help="The language messages are in: en or zh-CN (简体中文). Default: the language of the "
    "workbook a command opens, else English.",
)
def main(lang: str | None) -> None:
    """SalesFlow XL: run a one-person company's sales process from its Excel workbook.

    Every ribbon action and report of the Excel add-in is a command here, working on the
    workbook file without Excel.
    """
    if lang is not None:
        choose_language(lang)
