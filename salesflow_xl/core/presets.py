"""The kinds of business a workbook starts from: ``salesflow new --preset b2b|services|trade|
ecommerce``. Each :class:`Preset` brings its pipeline (stages with win probabilities and rotting
days), its drop-down lists and the demo business that shows it
(:mod:`salesflow_xl.core.demo_businesses`). docs/presets.md gives the reasons and the sources.

Names are written in English here, marked for translation (``N_``): a workbook in another
language gets them from its catalogue when it is made. Layer: core.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.i18n import N_, W_
from salesflow_xl.core.model import DEFAULT_LISTS, DEFAULT_PIPELINE, Lists, Pipeline, Stage


@dataclass(frozen=True)
class Preset:
    """A kind of business: ``key`` as ``--preset`` names it, a ``title`` and a ``summary`` for
    people, the ``pipeline`` and ``lists`` a new workbook of this kind starts with, and what
    its Dashboard puts first (``emphasis``: figures, in English, for the docs and the report)."""

    key: str
    title: str
    summary: str
    pipeline: Pipeline
    lists: Lists
    emphasis: tuple[str, ...]


B2B = Preset(
    "b2b",
    N_("B2B sales"),
    N_("Selling supply contracts and projects to other businesses (the default)."),
    DEFAULT_PIPELINE,
    DEFAULT_LISTS,
    ("win rate", "weighted forecast", "pipeline velocity", "campaign ROI", "CLV"),
)

SERVICES = Preset(
    "services",
    N_("Services and high-tech"),
    N_("Solution selling: research, webinars, proposals, contracts and ongoing support."),
    Pipeline(
        (
            Stage(W_("Qualified lead"), 0.10, rotting_days=7, follow_up_days=2),
            Stage(W_("Discovery"), 0.20, rotting_days=14, follow_up_days=5),
            Stage(W_("Proposal sent"), 0.35, rotting_days=10, follow_up_days=4),
            Stage(W_("Negotiation"), 0.60, rotting_days=10, follow_up_days=3),
            Stage(W_("Contract sent"), 0.85, rotting_days=7, follow_up_days=2),
            Stage(W_("Signed"), 1.0, outcome="won"),
            Stage(W_("Lost"), 0.0, outcome="lost"),
        )
    ),
    Lists(
        segments=(
            W_("Technology"),
            W_("Manufacturing"),
            W_("Retail & e-commerce"),
            W_("Professional firms"),
            W_("Public & education"),
        ),
        channels=(
            W_("Referral"),
            W_("Website"),
            W_("Content"),
            W_("Webinars"),
            W_("WeChat"),
            W_("LinkedIn"),
            W_("Partners"),
            W_("Events"),
        ),
        lost_reasons=(
            W_("Price"),
            W_("No budget"),
            W_("Competitor"),
            W_("In-house"),
            W_("No decision"),
            W_("Not a fit"),
            W_("No response"),
        ),
        activity_types=(
            W_("Call"),
            W_("E-mail"),
            W_("Meeting"),
            W_("Research"),
            W_("Webinar"),
            W_("Proposal"),
            W_("Support"),
            W_("Task"),
        ),
    ),
    ("proposal win rate", "sales cycle", "weighted forecast", "content and webinar ROI"),
)

TRADE = Preset(
    "trade",
    N_("Trade"),
    N_("Manufacturing and wholesale: trade fairs, visits, quotations, samples and orders."),
    Pipeline(
        (
            Stage(W_("Enquiry"), 0.10, rotting_days=3, follow_up_days=1),
            Stage(W_("Needs confirmed"), 0.20, rotting_days=14, follow_up_days=5),
            Stage(W_("Quotation sent"), 0.30, rotting_days=7, follow_up_days=3),
            Stage(W_("Sample sent"), 0.50, rotting_days=21, follow_up_days=10),
            Stage(W_("Price negotiation"), 0.70, rotting_days=7, follow_up_days=3),
            Stage(W_("Order placed"), 1.0, outcome="won"),
            Stage(W_("Lost"), 0.0, outcome="lost"),
        )
    ),
    Lists(
        segments=(
            W_("Wholesalers"),
            W_("Retailers"),
            W_("Brand owners"),
            W_("Manufacturers"),
            W_("Contractors"),
        ),
        channels=(
            W_("Trade fairs"),
            W_("B2B platforms"),
            W_("Cold e-mail"),
            W_("Field visits"),
            W_("Referral"),
            W_("Agents"),
            W_("Website"),
        ),
        lost_reasons=(
            W_("Price too high"),
            W_("Lead time too long"),
            W_("MOQ too high"),
            W_("Sample rejected"),
            W_("Chose other supplier"),
            W_("Payment terms"),
            W_("No response"),
            W_("Need cancelled"),
        ),
        activity_types=(
            W_("Call"),
            W_("E-mail"),
            W_("Visit"),
            W_("Fair meeting"),
            W_("Quotation"),
            W_("Sample"),
            W_("Order follow-up"),
            W_("Task"),
        ),
    ),
    ("quotation win rate", "trade fair ROI", "orders and reorders", "CLV by segment"),
)

ECOMMERCE = Preset(
    "ecommerce",
    N_("E-commerce"),
    N_(
        "A web shop: each person from first contact to first order is a deal; orders, repeat "
        "purchases and coupon campaigns are at the centre."
    ),
    Pipeline(
        (
            Stage(W_("First contact"), 0.10, rotting_days=7, follow_up_days=3),
            Stage(W_("Chat enquiry"), 0.20, rotting_days=2, follow_up_days=1),
            Stage(W_("In cart"), 0.30, rotting_days=3, follow_up_days=1),
            Stage(W_("Pending payment"), 0.60, rotting_days=1, follow_up_days=1),
            Stage(W_("First order"), 1.0, outcome="won"),
            Stage(W_("Not converted"), 0.0, outcome="lost"),
        )
    ),
    Lists(
        segments=(
            W_("Consumers"),
            W_("Gift buyers"),
            W_("Wholesale"),
            W_("Corporate buyers"),
            W_("Overseas"),
        ),
        channels=(
            W_("Organic search"),
            W_("Search ads"),
            W_("Social ads"),
            W_("Social content"),
            W_("Affiliates"),
            W_("WeChat community"),
            W_("Referral"),
            W_("E-mail & SMS"),
        ),
        lost_reasons=(
            W_("Too expensive"),
            W_("Shipping cost"),
            W_("Out of stock"),
            W_("Slow delivery"),
            W_("Bought elsewhere"),
            W_("Just browsing"),
            W_("Payment failed"),
            W_("No response"),
        ),
        activity_types=(
            W_("Chat reply"),
            W_("E-mail"),
            W_("Message"),
            W_("Cart reminder"),
            W_("Payment reminder"),
            W_("Coupon sent"),
            W_("Review request"),
            W_("Return/refund"),
        ),
    ),
    ("orders", "repeat-purchase rate", "average order value", "coupon campaign ROI", "CLV"),
)

#: Every preset by key, the default first.
PRESETS: dict[str, Preset] = {p.key: p for p in (B2B, SERVICES, TRADE, ECOMMERCE)}
DEFAULT = B2B.key


def preset(key: str) -> Preset:
    """The preset called ``key`` (any case); raises InvalidArgumentError naming them all."""
    found = PRESETS.get(str(key).strip().lower())
    if found is None:
        raise InvalidArgumentError("preset", key, " or ".join(PRESETS))
    return found
