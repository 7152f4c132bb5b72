"""One exception hierarchy for everything SalesFlow refuses.

Every surface translates these at its boundary: the CLI prints the message and exits 1, a UDF shows
the message in the cell (:mod:`salesflow_xl.core.excel_errors`), the ribbon shows a message box.
Messages are written for the user: they name the argument (or sheet, row and column) and the value
received, in the language in effect when they are raised (:mod:`salesflow_xl.core.i18n`).
"""

from __future__ import annotations

from datetime import date
from typing import Any


def _(message: str) -> str:
    """``message`` in the language in effect: :func:`salesflow_xl.core.i18n._`, imported when
    called (the i18n module imports this one). Layers that may not import i18n (ooxml) mark
    their messages with this one."""
    from salesflow_xl.core import i18n

    return i18n._(message)


class SalesflowError(Exception):
    """Base of every error SalesFlow raises on purpose."""


class InvalidArgumentError(SalesflowError, ValueError):
    """An argument is outside what a function accepts.

    Attributes:
        argument: the parameter's name, as the caller wrote it.
        value: what was received.
        expected: what would have been accepted, in words ("a number >= 0").
    """

    def __init__(self, argument: str, value: Any, expected: str) -> None:
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(
            _("{argument} must be {expected}, got {value}").format(
                argument=argument, expected=expected, value=shown(value)
            )
        )


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: dates in ISO form, anything else as its repr, cut to
    about ``limit`` characters (a 40,000-character name is not repeated in full)."""
    text = value.isoformat() if isinstance(value, date) else repr(value)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, str | bytes | list | tuple) else len(text)
    return _("{start}… ({size} long)").format(start=text[: limit - 20], size=f"{size:,}")


class PipelineError(SalesflowError):
    """The pipeline definition itself is inconsistent (duplicate stage, bad probability …)."""


class TransitionError(SalesflowError):
    """A deal cannot make the requested stage move.

    Attributes:
        deal_id: the deal that was asked to move.
    """

    def __init__(self, deal_id: str, message: str) -> None:
        self.deal_id = deal_id
        super().__init__(_("deal {deal}: {message}").format(deal=deal_id, message=message))


class DealClosedError(TransitionError):
    """The deal is won or lost; reopen it first."""


class DealNotClosedError(TransitionError):
    """Reopen was asked of a deal that is still open."""


class UnknownStageError(TransitionError):
    """The named stage is not in the pipeline."""


class MissingLostReasonError(TransitionError):
    """A deal can only be marked lost with a reason."""
