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


def default_templates(pipeline: Pipeline) -> tuple[EmailTemplate, ...]:
    """The Templates sheet of a new workbook with ``pipeline``, in the language in effect."""
    open_stages = [s for s in pipeline.stages if s.outcome == "open"]
    won = next((s for s in pipeline.stages if s.outcome == "won"), None)
    templates = [
        EmailTemplate(
            workbook_name(W_("Follow-up")),
            workbook_name(W_("{deal}: following up")),
            _body(
                W_(
                    "I am following up on {deal}. Is there anything I can answer for you, or "
                    "shall we go on to the next step?"
                )
            ),
        )
    ]
    if open_stages:
        templates.append(
            EmailTemplate(
                workbook_name(W_("First contact")),
                workbook_name(W_("{deal}")),
                _body(
                    W_(
                        "Thank you for your interest in {deal}. When would be a good time for "
                        "a short call?"
                    )
                ),
                open_stages[0].name,
            )
        )
    if len(open_stages) > 1:
        templates.append(
            EmailTemplate(
                workbook_name(W_("Proposal follow-up")),
                workbook_name(W_("{deal}: your proposal")),
                _body(
                    W_(
                        "I wanted to check whether the proposal for {deal} ({value}) works for "
                        "you, and whether there is anything to adjust."
                    )
                ),
                open_stages[-1].name,
            )
        )
    if won is not None:
        templates.append(
            EmailTemplate(
                workbook_name(W_("Thank you and news")),
                workbook_name(W_("Thank you, {name}")),
                _body(
                    W_(
                        "Thank you again for choosing us. Here is what is new since your order; "
                        "just reply if you would like to hear more."
                    )
                ),
                won.name,
                marketing=True,
            )
        )
    return tuple(templates)
