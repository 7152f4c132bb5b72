"""Commands that edit one deal or one customer (the fields kept by hand), and the option
types the catalog commands share."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from salesflow_xl.cli.app import DAY, EXISTING_WORKBOOK, lazy
from salesflow_xl.cli.workbook_file import act
from salesflow_xl.core.i18n import _

records = lazy("salesflow_xl.actions.records")


class Probability(click.ParamType):
    """A win probability as a fraction (``0.6``) or a percentage (``60%``); a bare number
    above 1 is refused rather than guessed at."""

    name = "probability"
    FORM = re.compile(r"([0-9]*\.?[0-9]+)\s*(%?)")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        match = self.FORM.fullmatch(text)
        number = float(match.group(1)) / (100 if match.group(2) else 1) if match else math.nan
        if not 0 <= number <= 1:
            self.fail(
                _(
                    "{text} is not a probability: give a fraction from 0 to 1 (0.6) or a "
                    "percentage from 0% to 100% (60%)"
                ).format(text=repr(text)),
                param,
                ctx,
            )
        return number


PROBABILITY = Probability()
PATH = click.argument("path", type=EXISTING_WORKBOOK)


def day(value: datetime | None) -> date | None:
    """A date option's day (None when not given)."""
    return value.date() if value else None


# -- deals and customers --------------------------------------------------------------------


def require(given: Any, options: str) -> None:
    """Refuse a command given none of the options it changes things with."""
    if not given:
        raise click.UsageError(
            _("nothing to change: give at least one of {options}").format(options=options)
        )


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (None: not given)."""
    return {name: value for name, value in options.items() if value is not None}


def _either(value: Any, clear: bool, option: str, flag: str) -> Any:
    """An option's value, or a blank (clear) marker when ``flag`` was given; not both."""
    if clear and value is not None:
        raise click.UsageError(
            _("give {option} or {flag}, not both").format(option=option, flag=flag)
        )
    return CLEAR if clear else value


#: Marks a field to be cleared (a blank cell).
CLEAR = object()
#: The options of ``deal edit``.
DEAL_OPTIONS = ("title", "value", "expected-close", "probability", "next", "channel", "campaign")


@click.group()
def deal() -> None:
    """Change a deal's title, value, dates, probability, channel or campaign.

    Stage changes stay with advance, move, won, lost and reopen (they keep the stage log).

    Example:

    \b
        salesflow deal edit Sales.xlsx D00016 --value 4800 --probability 70% \\
            --expected-close 2026-08-15
    """


@deal.command("edit")
@PATH
@click.argument("deal_id")
@click.option("--title", default=None)
@click.option("--value", type=float, default=None, help="The deal's expected value.")
@click.option("--expected-close", type=DAY, default=None, help="YYYY-MM-DD.")
@click.option("--no-expected-close", is_flag=True, help="Clear the expected close date.")
@click.option("--probability", type=PROBABILITY, default=None, help="Own win chance: 0.7 or 70%.")
@click.option("--stage-probability", is_flag=True, help="Use the stage's win chance again.")
@click.option("--next", "next_follow_up", type=DAY, default=None, help="Next follow-up date.")
@click.option("--no-next", is_flag=True, help="Clear the next follow-up date.")
@click.option("--channel", default=None, help="A channel from the Lists sheet ('' clears).")
@click.option("--campaign", default=None, help="A campaign from the Campaigns sheet ('' clears).")
def deal_edit(path: Path, deal_id: str, **options: Any) -> None:
    """Change fields of one deal.

    Example:

    \b
        salesflow deal edit Sales.xlsx D00016 --value 4800 --probability 70%
    """
    close = _either(
        day(options["expected_close"]),
        options["no_expected_close"],
        "--expected-close",
        "--no-expected-close",
    )
    follow = _either(day(options["next_follow_up"]), options["no_next"], "--next", "--no-next")
    probability = _either(
        options["probability"], options["stage_probability"], "--probability", "--stage-probability"
    )
    values = _given(
        title=options["title"],
        value=options["value"],
        expected_close=close,
        probability=probability,
        next_follow_up=follow,
        channel=options["channel"],
        campaign=options["campaign"],
    )
    require(values, "--" + ", --".join(DEAL_OPTIONS))
    values = {k: None if v is CLEAR else v for k, v in values.items()}
    act(path, lambda d: records.edit_deal(d, deal_id, values))


@click.group()
def customer() -> None:
    """Change a customer's name, company, contact details, segment, channel or campaign.

    Example:

    \b
        salesflow customer edit Sales.xlsx C0012 --segment Hotels --phone "+49 30 1234567"
    """


@customer.command("edit")
@PATH
@click.argument("customer_id")
@click.option("--name", default=None)
@click.option("--company", default=None, help="('' clears it)")
@click.option("--email", default=None, help="('' clears it)")
@click.option("--phone", default=None, help="('' clears it)")
@click.option("--segment", default=None, help="A segment from the Lists sheet ('' clears).")
@click.option("--channel", default=None, help="A channel from the Lists sheet ('' clears).")
@click.option("--campaign", default=None, help="A campaign from the Campaigns sheet ('' clears).")
@click.option("--consent", default=None, help="Marketing consent: yes, no or unknown ('' clears).")
@click.option("--consent-date", type=DAY, default=None, help="When consent was given or refused.")
@click.option("--consent-source", default=None, help="How: web form, signed order form …")
@click.option("--source", default=None, help="Where the person's data came from ('' clears).")
def customer_edit(path: Path, customer_id: str, **options: Any) -> None:
    """Change fields of one customer.

    Example:

    \b
        salesflow customer edit Sales.xlsx C0012 --segment Hotels --phone "+49 30 1234567"
        salesflow customer edit Sales.xlsx C0012 --consent yes --consent-date 2026-07-01 \\
            --consent-source "web form"
    """
    options["consent_date"] = day(options["consent_date"])
    values = _given(**options)
    require(values, "--" + ", --".join(options))
    act(path, lambda d: records.edit_customer(d, customer_id, values))
