"""Editing one deal or one customer: the fields a user keeps up to date by hand.

Only the fields given change; None clears an optional field. A deal's stage is not edited
here: stage changes go through advance, move, won, lost and reopen, which keep the stage log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from salesflow_xl.actions.catalog import clauses, money, name, percent, probability
from salesflow_xl.actions.changes import Changes
from salesflow_xl.actions.customer_match import EMAIL
from salesflow_xl.actions.deals import find_deals, pick
from salesflow_xl.core import consent, i18n, limits
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.model import Customer

#: The deal fields ``edit_deal`` takes, each with its name for messages (translated where
#: shown).
DEAL_FIELDS: dict[str, str] = {
    "title": N_("title"),
    "value": N_("value"),
    "expected_close": N_("expected close"),
    "probability": N_("probability"),
    "next_follow_up": N_("next follow-up"),
    "channel": N_("channel"),
    "campaign": N_("campaign"),
}
#: The customer fields ``edit_customer`` takes.
CUSTOMER_FIELDS: dict[str, str] = {
    "name": N_("name"),
    "company": N_("company"),
    "email": N_("e-mail"),
    "phone": N_("phone"),
    "segment": N_("segment"),
    "channel": N_("channel"),
    "campaign": N_("campaign"),
    "consent": N_("marketing consent"),
    "consent_date": N_("consent date"),
    "consent_source": N_("consent source"),
    "source": N_("data source"),
}


class UnknownCustomerError(SalesflowError):
    """A customer ID that is not on the Customers sheet."""


def _text(argument: str, value: str | None) -> str | None:
    """Optional text: stripped, blank clears the field."""
    if value is None:
        return None
    return limits.text(argument, value).strip() or None


def _day(argument: str, value: date | None) -> date | None:
    return None if value is None else limits.day(argument, value)


def _choice(allowed: tuple[str, ...], argument: str) -> Callable[[str | None], str | None]:
    def checked(value: str | None) -> str | None:
        text = _text(argument, value)
        return None if text is None else pick(text, allowed, argument)

    return checked


def _shown(field: str, value: Any) -> str:
    """A field's value in a summary."""
    if value is None:
        return _("the stage's") if field == "probability" else _("(blank)")
    if field == "value":
        return money(value)
    if field == "probability":
        return percent(value)
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _edit(
    record: Any,
    values: Mapping[str, Any],
    fields: Mapping[str, str],
    checks: Mapping[str, Callable[[Any], Any]],
) -> dict[str, Any]:
    """The checked new values that differ from ``record``'s."""
    unknown = set(values) - set(fields)
    if unknown:
        raise InvalidArgumentError(
            _("field"), sorted(unknown)[0], _("one of {values}").format(values=", ".join(fields))
        )
    if not values:
        names = ", ".join(_(name) for name in fields.values())
        raise SalesflowError(_("nothing to change (give one of {fields})").format(fields=names))
    checked = {field: checks[field](values[field]) for field in fields if field in values}
    return {f: v for f, v in checked.items() if getattr(record, f) != v}


def _summary(
    unchanged: str, updated: str, label: str, before: Any, changed: Mapping[str, Any], fields: Any
) -> str:
    """The summary line of an edit: ``unchanged`` (a text with {label}) when nothing changed,
    else ``updated`` (with {label} and {edits})."""
    if not changed:
        return unchanged.format(label=label)
    edits = [
        _("{field} {before} → {after}").format(
            field=_(fields[f]), before=_shown(f, getattr(before, f)), after=_shown(f, v)
        )
        for f, v in changed.items()
    ]
    return updated.format(label=label, edits=clauses(edits))


def edit_deal(data: SalesData, deal_id: str, values: Mapping[str, Any]) -> Changes:
    """Change a deal's title, value, expected close, own probability (None: the stage's),
    next follow-up, channel or campaign."""
    ((position, deal),) = find_deals(data, [deal_id])
    checks: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: name(_("title"), v),
        "value": lambda v: limits.amount(_("value"), v),
        "expected_close": lambda v: _day(_("expected close"), v),
        "probability": lambda v: None if v is None else probability(_("probability"), v),
        "next_follow_up": lambda v: _day(_("next follow-up"), v),
        "channel": _choice(data.lists.channels, _("channel")),
        "campaign": _choice(tuple(data.campaigns["name"]), _("campaign")),
    }
    changed = _edit(deal, values, DEAL_FIELDS, checks)
    changes = Changes()
    changes.update("deals", position, changed)
    changes.say(
        _summary(
            _("Deal {label} has these values already: nothing changed."),
            _("Updated deal {label}: {edits}."),
            f"{deal.id} {deal.title!r}",
            deal,
            changed,
            DEAL_FIELDS,
        )
    )
    return changes


def _email(value: str | None) -> str | None:
    text = _text(_("email"), value)
    if text is not None and not EMAIL.match(text):
        raise InvalidArgumentError(_("email"), value, _("an e-mail address like ann@example.com"))
    return text


def _consent(value: str | None) -> str | None:
    """Marketing consent as the workbook writes it (its word for yes, no or unknown); blank
    is unknown."""
    text = _text(_("marketing consent"), value)
    if text is None:
        return None
    code = consent.code_of(text)
    if code is None:
        words = ", ".join(consent.word(c) for c in consent.WORDS)
        raise InvalidArgumentError(
            _("marketing consent"), value, _("one of {values}").format(values=words)
        )
    return consent.word(code)


def edit_customer(data: SalesData, customer_id: str, values: Mapping[str, Any]) -> Changes:
    """Change a customer's name, company, e-mail, phone, segment, channel, campaign, marketing
    consent (with its date and how it was given) or data source."""
    wanted = str(customer_id).strip()
    positions = (data.customers["id"] == wanted).to_numpy().nonzero()[0]
    if not len(positions):
        raise UnknownCustomerError(
            _("no customer {customer} on the {sheet} sheet").format(
                customer=wanted, sheet=i18n.workbook_name("Customers")
            )
        )
    position = int(positions[0])
    (customer,) = to_records(data.customers.iloc[[position]], Customer)
    checks: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: name(_("name"), v),
        "company": lambda v: _text(_("company"), v),
        "email": _email,
        "phone": lambda v: _text(_("phone"), v),
        "segment": _choice(data.lists.segments, _("segment")),
        "channel": _choice(data.lists.channels, _("channel")),
        "campaign": _choice(tuple(data.campaigns["name"]), _("campaign")),
        "consent": _consent,
        "consent_date": lambda v: _day(_("consent date"), v),
        "consent_source": lambda v: _text(_("consent source"), v),
        "source": lambda v: _text(_("data source"), v),
    }
    changed = _edit(customer, values, CUSTOMER_FIELDS, checks)
    changes = Changes()
    changes.update("customers", position, changed)
    label = f"{customer.id} {customer.name}"
    changes.say(
        _summary(
            _("Customer {label} has these values already: nothing changed."),
            _("Updated customer {label}: {edits}."),
            label,
            customer,
            changed,
            CUSTOMER_FIELDS,
        )
    )
    return changes
