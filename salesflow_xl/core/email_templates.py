"""The e-mail templates a new workbook starts with (its Templates sheet), in the workbook's
language. Layer: core (standard library only).

One for a pipeline's first stage, one for its last open stage, one for any other stage and
one marketing e-mail for customers who bought (the won stage): the owner edits, adds and
removes rows in Excel.
"""

from __future__ import annotations

from salesflow_xl.core.i18n import W_, workbook_name
from salesflow_xl.core.model import EmailTemplate, Pipeline

_GREETING = W_("Hello {name},")
_CLOSING = W_("Best regards")


def _body(middle: str) -> str:
    return "\n\n".join((workbook_name(_GREETING), workbook_name(middle), workbook_name(_CLOSING)))


#: The templates: (name, subject, the body between greeting and closing, the stage they are
#: for — none (any), the first open stage, the last open one (when there are two or more), the
#: won stage —, marketing).
_DEFAULTS: tuple[tuple[str, str, str, str | None, bool], ...] = (
    (
        W_("Follow-up"),
        W_("{deal}: following up"),
        W_(
            "I am following up on {deal}. Is there anything I can answer for you, or shall we go "
            "on to the next step?"
        ),
        None,
        False,
    ),
    (
        W_("First contact"),
        W_("{deal}"),
        W_("Thank you for your interest in {deal}. When would be a good time for a short call?"),
        "first",
        False,
    ),
    (
        W_("Proposal follow-up"),
        W_("{deal}: your proposal"),
        W_(
            "I wanted to check whether the proposal for {deal} ({value}) works for you, and "
            "whether there is anything to adjust."
        ),
        "last",
        False,
    ),
    (
        W_("Thank you and news"),
        W_("Thank you, {name}"),
        W_(
            "Thank you again for choosing us. Here is what is new since your order; just reply "
            "if you would like to hear more."
        ),
        "won",
        True,
    ),
)


def default_templates(pipeline: Pipeline) -> tuple[EmailTemplate, ...]:
    """The Templates sheet of a new workbook with ``pipeline``, in the language in effect."""
    opens = pipeline.open_stages
    stages = {"first": opens[0].name, "won": pipeline.won.name}
    if len(opens) > 1:
        stages["last"] = opens[-1].name
    return tuple(
        EmailTemplate(
            workbook_name(name),
            workbook_name(subject),
            _body(middle),
            stages[which] if which else None,
            marketing=marketing,
        )
        for name, subject, middle, which, marketing in _DEFAULTS
        if which is None or which in stages
    )
