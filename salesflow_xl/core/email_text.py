"""An e-mail template's text filled in: the Templates sheet's Subject and Body with their
placeholders replaced by a follow-up's values. Layer: core (standard library only).

The placeholders are plain names only — ``{name}``, ``{company}``, ``{deal}``, ``{value}``,
``{stage}`` and ``{due}`` — read with :meth:`string.Formatter.parse`, so ``{{`` and ``}}`` are
a brace itself, as in Python. Nothing else is taken: no attribute or index (``{name.upper}``,
``{deal[0]}``), no conversion (``{name!r}``), no format (``{value:>10}``), no number
(``{0}``), so a template typed in a cell can only ever put these values where it says.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from salesflow_xl.core.errors import SalesflowError, shown
from salesflow_xl.core.i18n import _

#: The placeholders a template may hold, in the order the Templates sheet's note names them.
PLACEHOLDERS: tuple[str, ...] = ("name", "company", "deal", "value", "stage", "due")


class PlaceholderError(SalesflowError):
    """A template text with a placeholder that is not one, or a brace not closed.

    Attributes:
        text: the template text.
        expected: what was expected, in words (as :func:`problem` gives it).
    """

    def __init__(self, text: str, expected: str) -> None:
        self.text = text
        self.expected = expected
        super().__init__(
            _("{text}: expected {expected}").format(text=shown(text), expected=expected)
        )


def listed() -> str:
    """The placeholders as the messages name them: "{name}, {company}, … {due}"."""
    return _(", ").join("{" + name + "}" for name in PLACEHOLDERS)


def problem(text: str) -> str | None:
    """What ``text``'s placeholders should be, in words, when one is wrong (an unknown
    name, an attribute, index, conversion or format, a brace left open or a lone ``}``);
    None when every one is right."""
    braces = _("{open} and {close} for a brace itself").format(open="{{", close="}}")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return _("braces only around a placeholder ({placeholders}); {braces}").format(
            placeholders=listed(), braces=braces
        )
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            found = "{" + field + (f"!{conversion}" if conversion else "")
            found += (f":{spec}" if spec else "") + "}"
            return _("only the placeholders {placeholders} ({found} is not one); {braces}").format(
                placeholders=listed(), found=found, braces=braces
            )
    return None


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value in ``values`` (a placeholder
    without one: blank) and ``{{``/``}}`` by a brace. Raises :class:`PlaceholderError` when
    :func:`problem` finds one wrong."""
    wrong = problem(text)
    if wrong is not None:
        raise PlaceholderError(text, wrong)
    return "".join(
        literal + ("" if field is None else str(values.get(field, "")))
        for literal, field, _spec, _conversion in string.Formatter().parse(text)
    )
