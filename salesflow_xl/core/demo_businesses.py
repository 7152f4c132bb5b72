"""The demo business of each preset (:mod:`salesflow_xl.core.presets`): who its customers are,
what it sells, how its deals move through its stages and how its customers reorder. The
generator (:mod:`salesflow_xl.core.demo`) plays these out with a seeded random stream.

- b2b: Ember & Oak, a one-person specialty coffee roaster selling supply contracts to cafés,
  restaurants, offices, hotels and shops (the demo SalesFlow always had);
- services: a one-person software and data consultancy (projects, retainers, workshops);
- trade: a one-person export agent for household goods (fairs, quotations, samples, orders);
- ecommerce: a one-person web shop for coffee (each known person from first contact to first
  order is a deal; repeat orders follow).

The numbers are judgements made to look like such businesses (docs/presets.md), not
published figures. Layer: core.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesflow_xl.core.i18n import W_


@dataclass(frozen=True)
class StageBehaviour:
    """How open deals leave a stage: mean days spent, then the chances of going on to the next
    stage, skipping one, being lost or going back one (``lost_reasons``: weights; the
    ``activities`` logged while a deal is there)."""

    mean_days: float
    advance: float
    skip: float
    lose: float
    back: float
    lost_reasons: dict[str, float]
    activities: tuple[str, ...]


@dataclass(frozen=True)
class DemoBusiness:
    """Everything the demo generator needs to know about one business.

    Attributes:
        customers, deals: how many per unit of scale.
        direct_customers: customers per unit of scale who buy without ever being a deal (a
            web shop's orders), first ordering on the day they are first seen.
        segments: segment → (share of customers, deal and order size, reorder rate).
        channels: channel → (share of customers, extra chance of winning).
        organic_channels: where customers come from who saw a paid channel outside its
            campaigns.
        offers: (deal title, typical value) of what the business sells.
        campaigns: (name, channel, months after the period start, length in days, spend).
        stages: open stage → its :class:`StageBehaviour`.
        second_start: chance a deal starts in the second stage.
        close_days: range of days from created to the expected close.
        back_note, skip_note: the stage log's notes for a move back and a skip.
        business_words: segment → words for company names (empty: private buyers, no
            company).
        order_rate: scale of the Gamma(4, ·) orders per month of a won customer.
        order_amount: scale of the Gamma(4, ·) personal mean order amount.
        dropout: b of the Beta(1, b) chance a customer stops after any order.
        retention_months, gross_margin, annual_discount_rate: the Settings.
    """

    customers: int
    deals: int
    segments: dict[str, tuple[float, float, float]]
    channels: dict[str, tuple[float, float]]
    organic_channels: tuple[str, ...]
    offers: tuple[tuple[str, float], ...]
    campaigns: tuple[tuple[str, str, int, int, float], ...]
    stages: dict[str, StageBehaviour]
    second_start: float
    close_days: tuple[int, int]
    back_note: str
    skip_note: str
    business_words: dict[str, tuple[str, ...]]
    order_rate: float
    order_amount: float
    dropout: float
    retention_months: float
    gross_margin: float
    annual_discount_rate: float
    direct_customers: int = 0


B2B = DemoBusiness(
    customers=150,
    deals=300,
    segments={
        W_("Cafés"): (0.34, 1.0, 1.5),
        W_("Restaurants"): (0.22, 1.2, 1.2),
        W_("Offices"): (0.2, 0.8, 0.7),
        W_("Hotels"): (0.1, 2.0, 1.3),
        W_("Retailers"): (0.14, 1.5, 0.9),
    },
    channels={
        "Referral": (0.26, 0.15),
        "Website": (0.22, 0.0),
        "LinkedIn": (0.16, 0.0),
        "Google Ads": (0.16, -0.07),
        "Events": (0.12, 0.05),
        "Newsletter": (0.08, 0.03),
    },
    organic_channels=("Website", "Referral"),
    offers=(
        (W_("Espresso supply contract"), 6000.0),
        (W_("House blend subscription"), 3600.0),
        (W_("Office coffee service"), 2400.0),
        (W_("Private-label blend"), 9000.0),
        (W_("Barista training + beans"), 1800.0),
        (W_("Seasonal single-origin order"), 1200.0),
    ),
    campaigns=(
        (W_("Spring search ads"), "Google Ads", 2, 91, 6500.0),
        (W_("LinkedIn café owners"), "LinkedIn", 3, 90, 4200.0),
        (W_("Hotel & Gastro fair"), "Events", 8, 3, 9800.0),
        (W_("Autumn newsletter"), "Newsletter", 9, 60, 1800.0),
        (W_("Winter search ads"), "Google Ads", 11, 89, 7200.0),
        (W_("LinkedIn office managers"), "LinkedIn", 13, 89, 3900.0),
    ),
    stages={
        "Lead acquisition": StageBehaviour(
            9.0,
            0.62,
            0.06,
            0.32,
            0.0,
            {"No response": 5, "Not a fit": 3, "No budget": 2},
            ("Call", "E-mail"),
        ),
        "Nurturing": StageBehaviour(
            16.0,
            0.68,
            0.0,
            0.27,
            0.05,
            {"No response": 2, "Timing": 3, "Competitor": 3, "No budget": 2},
            ("E-mail", "Meeting", "Demo"),
        ),
        "Negotiation": StageBehaviour(
            12.0,
            0.60,
            0.0,
            0.28,
            0.12,
            {"Price": 5, "Competitor": 3, "Timing": 1, "No budget": 1},
            ("Proposal", "Meeting", "Call"),
        ),
    },
    second_start=0.15,
    close_days=(30, 90),
    back_note=W_("Needs rework"),
    skip_note=W_("Ready to negotiate"),
    business_words={
        "Cafés": (W_("Café"), W_("Kaffeehaus"), W_("Espresso Bar"), W_("Coffee Corner")),
        "Restaurants": (W_("Trattoria"), W_("Bistro"), W_("Kitchen"), W_("Brasserie")),
        "Offices": (W_("Consulting"), W_("Architects"), W_("Legal"), W_("Studio")),
        "Hotels": (W_("Hotel"), W_("Guesthouse"), W_("Boutique Hotel"), W_("Inn")),
        "Retailers": (W_("Delikatessen"), W_("Market"), W_("Concept Store"), W_("Grocers")),
    },
    order_rate=0.9,
    order_amount=60.0,
    dropout=60.0,
    retention_months=24.0,
    gross_margin=0.45,
    annual_discount_rate=0.1,
)

SERVICES = DemoBusiness(
    customers=120,
    deals=300,
    segments={
        "Technology": (0.3, 1.2, 1.0),
        "Manufacturing": (0.2, 1.5, 0.8),
        "Retail & e-commerce": (0.22, 0.9, 1.1),
        "Professional firms": (0.2, 0.7, 0.9),
        "Public & education": (0.08, 1.8, 0.6),
    },
    channels={
        "Referral": (0.24, 0.15),
        "Website": (0.14, 0.0),
        "Content": (0.14, 0.03),
        "Webinars": (0.12, 0.05),
        "WeChat": (0.1, 0.0),
        "LinkedIn": (0.1, -0.03),
        "Partners": (0.08, 0.1),
        "Events": (0.08, 0.02),
    },
    organic_channels=("Website", "Referral"),
    offers=(
        (W_("Website relaunch"), 12000.0),
        (W_("Data dashboard project"), 18000.0),
        (W_("Monthly support retainer"), 6000.0),
        (W_("Cloud migration"), 24000.0),
        (W_("Training workshop"), 3000.0),
        (W_("Security audit"), 8000.0),
    ),
    campaigns=(
        (W_("Spring webinars"), "Webinars", 2, 60, 3500.0),
        (W_("Case study e-book"), "Content", 4, 120, 2500.0),
        (W_("WeChat articles"), "WeChat", 6, 90, 1800.0),
        (W_("LinkedIn outreach"), "LinkedIn", 9, 60, 4000.0),
        (W_("Partner referral"), "Partners", 11, 120, 3000.0),
        (W_("Industry summit talk"), "Events", 14, 2, 6000.0),
    ),
    stages={
        "Qualified lead": StageBehaviour(
            7.0,
            0.65,
            0.05,
            0.30,
            0.0,
            {"No response": 4, "Not a fit": 3, "No budget": 3},
            ("Call", "E-mail", "Research"),
        ),
        "Discovery": StageBehaviour(
            14.0,
            0.70,
            0.0,
            0.25,
            0.05,
            {"No budget": 3, "In-house": 2, "No decision": 3, "Not a fit": 2},
            ("Meeting", "Research", "Webinar"),
        ),
        "Proposal sent": StageBehaviour(
            12.0,
            0.62,
            0.0,
            0.30,
            0.08,
            {"Price": 4, "Competitor": 3, "No decision": 2, "No response": 1},
            ("Proposal", "Call", "E-mail"),
        ),
        "Negotiation": StageBehaviour(
            10.0,
            0.65,
            0.0,
            0.25,
            0.10,
            {"Price": 4, "Competitor": 3, "No decision": 2},
            ("Meeting", "Call"),
        ),
        "Contract sent": StageBehaviour(
            6.0,
            0.85,
            0.0,
            0.12,
            0.03,
            {"No decision": 3, "Price": 1},
            ("E-mail", "Task"),
        ),
    },
    second_start=0.1,
    close_days=(45, 120),
    back_note=W_("Scope to be clarified again"),
    skip_note=W_("Proposal requested at once"),
    business_words={
        "Technology": (W_("Software"), W_("Labs"), W_("Systems"), W_("Digital")),
        "Manufacturing": (W_("Works"), W_("Industries"), W_("Components"), W_("Tools")),
        "Retail & e-commerce": (W_("Store"), W_("Shop"), W_("Outlet"), W_("Market")),
        "Professional firms": (W_("Partners"), W_("Advisors"), W_("Legal"), W_("Accounting")),
        "Public & education": (W_("School"), W_("Academy"), W_("Institute"), W_("Library")),
    },
    order_rate=0.25,
    order_amount=375.0,
    dropout=25.0,
    retention_months=36.0,
    gross_margin=0.6,
    annual_discount_rate=0.1,
)

TRADE = DemoBusiness(
    customers=150,
    deals=300,
    segments={
        "Wholesalers": (0.3, 1.5, 1.0),
        "Retailers": (0.26, 0.7, 1.2),
        "Brand owners": (0.18, 1.3, 0.9),
        "Manufacturers": (0.14, 1.1, 0.8),
        "Contractors": (0.12, 1.0, 0.6),
    },
    channels={
        "Trade fairs": (0.26, 0.1),
        "B2B platforms": (0.22, -0.05),
        "Cold e-mail": (0.14, -0.05),
        "Field visits": (0.1, 0.08),
        "Referral": (0.14, 0.15),
        "Agents": (0.08, 0.05),
        "Website": (0.06, 0.0),
    },
    organic_channels=("Website", "Referral"),
    offers=(
        (W_("Container of ceramic mugs"), 14000.0),
        (W_("Custom-printed tote bags"), 4000.0),
        (W_("LED lamp batch"), 9000.0),
        (W_("Stainless steel bottles"), 7000.0),
        (W_("Bamboo kitchenware"), 5000.0),
        (W_("Sample order"), 1200.0),
    ),
    campaigns=(
        (W_("Canton Fair spring"), "Trade fairs", 3, 5, 12000.0),
        (W_("Alibaba keyword ads"), "B2B platforms", 1, 180, 6000.0),
        (W_("Q1 cold e-mails"), "Cold e-mail", 6, 90, 900.0),
        (W_("Autumn visit tour"), "Field visits", 9, 21, 4500.0),
        (W_("Agent recruitment"), "Agents", 12, 120, 3000.0),
    ),
    stages={
        "Enquiry": StageBehaviour(
            4.0,
            0.55,
            0.08,
            0.37,
            0.0,
            {"No response": 5, "MOQ too high": 2, "Need cancelled": 1},
            ("E-mail", "Call", "Fair meeting"),
        ),
        "Needs confirmed": StageBehaviour(
            10.0,
            0.70,
            0.0,
            0.27,
            0.03,
            {"Lead time too long": 2, "MOQ too high": 2, "No response": 2},
            ("Call", "Visit", "E-mail"),
        ),
        "Quotation sent": StageBehaviour(
            9.0,
            0.55,
            0.0,
            0.38,
            0.07,
            {"Price too high": 5, "Chose other supplier": 3, "Payment terms": 1},
            ("Quotation", "E-mail", "Call"),
        ),
        "Sample sent": StageBehaviour(
            18.0,
            0.70,
            0.0,
            0.25,
            0.05,
            {"Sample rejected": 4, "Chose other supplier": 2, "Lead time too long": 1},
            ("Sample", "Call"),
        ),
        "Price negotiation": StageBehaviour(
            8.0,
            0.72,
            0.0,
            0.20,
            0.08,
            {"Price too high": 4, "Payment terms": 2, "Chose other supplier": 2},
            ("Visit", "Call", "Order follow-up"),
        ),
    },
    second_start=0.1,
    close_days=(20, 75),
    back_note=W_("Quotation to be revised"),
    skip_note=W_("Price list sent at once"),
    business_words={
        "Wholesalers": (W_("Trading"), W_("Wholesale"), W_("Distribution"), W_("Supply")),
        "Retailers": (W_("Home Store"), W_("Living"), W_("Concept Store"), W_("Market")),
        "Brand owners": (W_("Brands"), W_("Design"), W_("Label"), W_("Collective")),
        "Manufacturers": (W_("Manufacturing"), W_("Works"), W_("Industries"), W_("Fabrik")),
        "Contractors": (W_("Interiors"), W_("Fit-Out"), W_("Projects"), W_("Builders")),
    },
    order_rate=0.15,
    order_amount=1250.0,
    dropout=20.0,
    retention_months=24.0,
    gross_margin=0.25,
    annual_discount_rate=0.08,
)

ECOMMERCE = DemoBusiness(
    customers=280,
    deals=300,
    segments={
        "Consumers": (0.62, 1.0, 1.0),
        "Gift buyers": (0.16, 1.3, 0.5),
        "Wholesale": (0.06, 6.0, 1.5),
        "Corporate buyers": (0.08, 4.0, 0.8),
        "Overseas": (0.08, 1.4, 0.7),
    },
    channels={
        "Organic search": (0.24, 0.02),
        "Search ads": (0.16, -0.03),
        "Social ads": (0.16, -0.05),
        "Social content": (0.12, 0.03),
        "Affiliates": (0.08, 0.0),
        "WeChat community": (0.1, 0.08),
        "Referral": (0.08, 0.12),
        "E-mail & SMS": (0.06, 0.05),
    },
    organic_channels=("Organic search", "Referral"),
    offers=(
        (W_("Coffee beans 1 kg"), 38.0),
        (W_("Espresso starter set"), 120.0),
        (W_("Gift box"), 65.0),
        (W_("Monthly subscription"), 29.0),
        (W_("Hand grinder"), 180.0),
        (W_("Office bulk order"), 450.0),
    ),
    campaigns=(
        (W_("New customer coupon"), "Social ads", 1, 150, 2400.0),
        (W_("618 flash sale"), "Search ads", 5, 18, 3200.0),
        (W_("Double 11 presale"), "Affiliates", 10, 21, 4800.0),
        (W_("Influencer seeding"), "Social content", 7, 60, 2600.0),
        (W_("Refer-a-friend"), "Referral", 3, 240, 900.0),
        (W_("Spend-and-save"), "WeChat community", 12, 30, 1200.0),
    ),
    stages={
        "First contact": StageBehaviour(
            3.0,
            0.45,
            0.25,
            0.30,
            0.0,
            {"Just browsing": 6, "Too expensive": 2, "No response": 2},
            ("Chat reply", "Message"),
        ),
        "Chat enquiry": StageBehaviour(
            1.5,
            0.60,
            0.0,
            0.38,
            0.02,
            {"Out of stock": 2, "Shipping cost": 3, "Bought elsewhere": 3, "No response": 2},
            ("Chat reply", "Coupon sent"),
        ),
        "In cart": StageBehaviour(
            2.0,
            0.55,
            0.0,
            0.43,
            0.02,
            {"Shipping cost": 4, "Too expensive": 3, "Slow delivery": 2, "Just browsing": 2},
            ("Cart reminder", "Coupon sent", "E-mail"),
        ),
        "Pending payment": StageBehaviour(
            0.7,
            0.80,
            0.0,
            0.18,
            0.02,
            {"Payment failed": 5, "Bought elsewhere": 1},
            ("Payment reminder", "Message"),
        ),
    },
    second_start=0.1,
    close_days=(1, 14),
    back_note=W_("Back to browsing"),
    skip_note=W_("Added to cart at once"),
    business_words={
        "Consumers": (),
        "Gift buyers": (),
        "Wholesale": (W_("Café"), W_("Deli"), W_("Grocers"), W_("Market")),
        "Corporate buyers": (W_("Consulting"), W_("Studio"), W_("Agency"), W_("Labs")),
        "Overseas": (),
    },
    order_rate=0.1,
    order_amount=15.0,
    dropout=8.0,
    retention_months=18.0,
    gross_margin=0.4,
    annual_discount_rate=0.1,
    direct_customers=600,
)

#: The demo business of each preset, by the preset's key.
BUSINESSES: dict[str, DemoBusiness] = {
    "b2b": B2B,
    "services": SERVICES,
    "trade": TRADE,
    "ecommerce": ECOMMERCE,
}
