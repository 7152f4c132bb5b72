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
from salesflow_xl.core.i18n import N_
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
            Stage(N_("Qualified lead"), 0.10, rotting_days=7),
            Stage(N_("Discovery"), 0.20, rotting_days=14),
            Stage(N_("Proposal sent"), 0.35, rotting_days=10),
            Stage(N_("Negotiation"), 0.60, rotting_days=10),
            Stage(N_("Contract sent"), 0.85, rotting_days=7),
            Stage(N_("Signed"), 1.0, outcome="won"),
            Stage(N_("Lost"), 0.0, outcome="lost"),
        )
    ),
    Lists(
        segments=(
            N_("Technology"),
            N_("Manufacturing"),
            N_("Retail & e-commerce"),
            N_("Professional firms"),
            N_("Public & education"),
        ),
        channels=(
            N_("Referral"),
            N_("Website"),
            N_("Content"),
            N_("Webinars"),
            N_("WeChat"),
            N_("LinkedIn"),
            N_("Partners"),
            N_("Events"),
        ),
        lost_reasons=(
            N_("Price"),
            N_("No budget"),
            N_("Competitor"),
            N_("In-house"),
            N_("No decision"),
            N_("Not a fit"),
            N_("No response"),
        ),
        activity_types=(
            N_("Call"),
            N_("E-mail"),
            N_("Meeting"),
            N_("Research"),
            N_("Webinar"),
            N_("Proposal"),
            N_("Support"),
            N_("Task"),
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
            Stage(N_("Enquiry"), 0.10, rotting_days=3),
            Stage(N_("Needs confirmed"), 0.20, rotting_days=14),
            Stage(N_("Quotation sent"), 0.30, rotting_days=7),
            Stage(N_("Sample sent"), 0.50, rotting_days=21),
            Stage(N_("Price negotiation"), 0.70, rotting_days=7),
            Stage(N_("Order placed"), 1.0, outcome="won"),
            Stage(N_("Lost"), 0.0, outcome="lost"),
        )
    ),
    Lists(
        segments=(
            N_("Wholesalers"),
            N_("Retailers"),
            N_("Brand owners"),
            N_("Manufacturers"),
            N_("Contractors"),
        ),
        channels=(
            N_("Trade fairs"),
            N_("B2B platforms"),
            N_("Cold e-mail"),
            N_("Field visits"),
            N_("Referral"),
            N_("Agents"),
            N_("Website"),
        ),
        lost_reasons=(
            N_("Price too high"),
            N_("Lead time too long"),
            N_("MOQ too high"),
            N_("Sample rejected"),
            N_("Chose other supplier"),
            N_("Payment terms"),
            N_("No response"),
            N_("Need cancelled"),
        ),
        activity_types=(
            N_("Call"),
            N_("E-mail"),
            N_("Visit"),
            N_("Fair meeting"),
            N_("Quotation"),
            N_("Sample"),
            N_("Order follow-up"),
            N_("Task"),
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
            Stage(N_("First contact"), 0.10, rotting_days=7),
            Stage(N_("Chat enquiry"), 0.20, rotting_days=2),
            Stage(N_("In cart"), 0.30, rotting_days=3),
            Stage(N_("Pending payment"), 0.60, rotting_days=1),
            Stage(N_("First order"), 1.0, outcome="won"),
            Stage(N_("Not converted"), 0.0, outcome="lost"),
        )
    ),
    Lists(
        segments=(
            N_("Consumers"),
            N_("Gift buyers"),
            N_("Wholesale"),
            N_("Corporate buyers"),
            N_("Overseas"),
        ),
        channels=(
            N_("Organic search"),
            N_("Search ads"),
            N_("Social ads"),
            N_("Social content"),
            N_("Affiliates"),
            N_("WeChat community"),
            N_("Referral"),
            N_("E-mail & SMS"),
        ),
        lost_reasons=(
            N_("Too expensive"),
            N_("Shipping cost"),
            N_("Out of stock"),
            N_("Slow delivery"),
            N_("Bought elsewhere"),
            N_("Just browsing"),
            N_("Payment failed"),
            N_("No response"),
        ),
        activity_types=(
            N_("Chat reply"),
            N_("E-mail"),
            N_("Message"),
            N_("Cart reminder"),
            N_("Payment reminder"),
            N_("Coupon sent"),
            N_("Review request"),
            N_("Return/refund"),
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
