"""A deterministic demo business: Ember & Oak, a one-person specialty coffee roaster selling supply
contracts to cafés, restaurants, offices, hotels and shops.

At ``scale=1`` it has about 150 customers in five segments and six acquisition channels, 300
deals over the 18 months before ``as_of`` with realistic stage histories (lost deals with reasons,
skipped stages, a few backward moves), activities with due dates, six campaigns with spend and
about 2,000 orders: each won customer reorders at a personal rate and may drop out after any
order (the buying pattern BG/NBD describes), with a personal average order value. ``scale``
multiplies customers, deals and orders (``scale=1000/3`` gives 100,000 deals) and campaign spend.

The same ``seed`` and ``scale`` always give the same data (Python's ``random.Random`` streams are
stable across platforms and versions).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from salesflow_xl.core import transitions
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.model import (
    DEFAULT_PIPELINE,
    Activity,
    Campaign,
    Customer,
    Deal,
    Lists,
    Order,
    Settings,
    StageEvent,
)

if TYPE_CHECKING:  # pandas is loaded when the demo is built, not when its defaults are read
    from salesflow_xl.core.dataset import SalesData

DEMO_AS_OF = date(2026, 6, 30)
DEMO_SEED = 2026
MONTHS = 18

SEGMENTS = {"Cafés": 0.34, "Restaurants": 0.22, "Offices": 0.2, "Hotels": 0.1, "Retailers": 0.14}
SEGMENT_SIZE = {"Cafés": 1.0, "Restaurants": 1.2, "Offices": 0.8, "Hotels": 2.0, "Retailers": 1.5}
CHANNEL_WEIGHTS = {
    "Referral": 0.26,
    "Website": 0.22,
    "LinkedIn": 0.16,
    "Google Ads": 0.16,
    "Events": 0.12,
    "Newsletter": 0.08,
}
#: Extra chance of winning by channel (referrals close best, paid clicks worst).
CHANNEL_LIFT = {
    "Referral": 0.15,
    "Website": 0.0,
    "LinkedIn": 0.0,
    "Google Ads": -0.07,
    "Events": 0.05,
    "Newsletter": 0.03,
}
#: How often a segment reorders, relative to the average customer.
ORDER_RATE = {"Cafés": 1.5, "Restaurants": 1.2, "Offices": 0.7, "Hotels": 1.3, "Retailers": 0.9}
#: Fewest days between two deliveries to the same customer.
MIN_ORDER_GAP = 4
#: (title, typical yearly value) of what the roaster sells.
OFFERS = (
    ("Espresso supply contract", 6000.0),
    ("House blend subscription", 3600.0),
    ("Office coffee service", 2400.0),
    ("Private-label blend", 9000.0),
    ("Barista training + beans", 1800.0),
    ("Seasonal single-origin order", 1200.0),
)
#: (name, channel, months after the period start it begins, length in days, spend at scale 1).
CAMPAIGNS = (
    ("Spring search ads", "Google Ads", 2, 91, 6500.0),
    ("LinkedIn café owners", "LinkedIn", 3, 90, 4200.0),
    ("Hotel & Gastro fair", "Events", 8, 3, 9800.0),
    ("Autumn newsletter", "Newsletter", 9, 60, 1800.0),
    ("Winter search ads", "Google Ads", 11, 89, 7200.0),
    ("LinkedIn office managers", "LinkedIn", 13, 89, 3900.0),
)
#: Per open stage: mean days spent, and the chances of (next stage, skip a stage, lost, back).
STAGE_BEHAVIOUR = {
    "Lead acquisition": (9.0, (0.62, 0.06, 0.32, 0.0)),
    "Nurturing": (16.0, (0.68, 0.0, 0.27, 0.05)),
    "Negotiation": (12.0, (0.60, 0.0, 0.28, 0.12)),
}
LOST_REASON_WEIGHTS = {
    "Lead acquisition": {"No response": 5, "Not a fit": 3, "No budget": 2},
    "Nurturing": {"No response": 2, "Timing": 3, "Competitor": 3, "No budget": 2},
    "Negotiation": {"Price": 5, "Competitor": 3, "Timing": 1, "No budget": 1},
}
FIRST_NAMES = (
    "Anna Ben Clara David Elif Finn Greta Hugo Ines Jonas Kira Luca Mara Noah Olga Paul Rosa "
    "Sami Tara Umut Vera Wim Yara Zoe"
).split()
LAST_NAMES = (
    "Adler Berg Costa Dahl Engel Fischer Garcia Hansen Ivanova Jensen Kaya Lang Meyer Novak "
    "Okafor Petrov Quinn Rossi Schulz Tanaka Urban Vogel Weber Yilmaz Zimmer"
).split()
BUSINESS_WORDS = {
    "Cafés": ("Café", "Kaffeehaus", "Espresso Bar", "Coffee Corner"),
    "Restaurants": ("Trattoria", "Bistro", "Kitchen", "Brasserie"),
    "Offices": ("Consulting", "Architects", "Legal", "Studio"),
    "Hotels": ("Hotel", "Guesthouse", "Boutique Hotel", "Inn"),
    "Retailers": ("Delikatessen", "Market", "Concept Store", "Grocers"),
}
PLACE_WORDS = (
    "Harbour Linden Elm Mill River Oak Market Garden Station Bridge Castle Meadow North Old "
    "Stone Corner"
).split()


#: About 1,910 orders per unit of scale: 500 makes 955,000 rows, within Excel's 1,048,576.
MAX_SCALE = 500
FIRST_AS_OF = date(1902, 1, 1)
LAST_AS_OF = date(9998, 12, 31)


def generate(scale: float = 1.0, seed: int = DEMO_SEED, as_of: date = DEMO_AS_OF) -> SalesData:
    """The demo business as :class:`SalesData` (default pipeline, settings as of ``as_of``)."""
    if not isinstance(scale, int | float) or isinstance(scale, bool) or not scale > 0:
        raise InvalidArgumentError("scale", scale, "a number > 0")
    if not scale <= MAX_SCALE:
        raise InvalidArgumentError(
            "scale", scale, f"at most {MAX_SCALE} (its Orders must fit Excel's 1,048,576 rows)"
        )
    if not FIRST_AS_OF <= as_of <= LAST_AS_OF:
        raise InvalidArgumentError(
            "as-of date",
            as_of,
            f"a date from {FIRST_AS_OF} to {LAST_AS_OF} (the demo's history reaches 18 months "
            "back and its expected closes a year ahead, all within Excel's dates)",
        )
    return _Builder(random.Random(seed), scale, as_of).build()


class _Builder:
    def __init__(self, rng: random.Random, scale: float, as_of: date) -> None:
        self.rng = rng
        self.scale = scale
        self.as_of = as_of
        self.start = _add_months(as_of, -MONTHS) + timedelta(days=1)
        self.pipeline = DEFAULT_PIPELINE
        self.campaigns = self._campaigns()
        self.customers: list[Customer] = []
        self.deals: list[Deal] = []
        self.events: list[StageEvent] = []
        self.activities: list[Activity] = []
        self.orders: list[Order] = []

    def build(self) -> SalesData:
        n_customers = max(1, round(150 * self.scale))
        n_deals = max(n_customers, round(300 * self.scale))
        self.customers = [self._customer(i) for i in range(n_customers)]
        owners = list(range(n_customers)) + [
            self.rng.randrange(n_customers) for _ in range(n_deals - n_customers)
        ]
        for number, owner in enumerate(owners, start=1):
            self._deal(number, self.customers[owner], first=number <= n_customers)
        self._orders()
        settings = Settings(
            as_of=self.as_of, retention_months=24.0, gross_margin=0.45, annual_discount_rate=0.1
        )
        from salesflow_xl.core.dataset import SalesData

        return SalesData.from_records(
            settings,
            {
                "customers": self.customers,
                "deals": self.deals,
                "stage_log": self.events,
                "activities": self.activities,
                "campaigns": self.campaigns,
                "orders": self.orders,
            },
            pipeline=self.pipeline,
            lists=Lists(segments=tuple(SEGMENTS)),
        )

    # -- customers and campaigns --------------------------------------------------------------

    def _campaigns(self) -> list[Campaign]:
        result = []
        for name, channel, offset, days, spend in CAMPAIGNS:
            begin = _add_months(self.start, offset)
            result.append(
                Campaign(name, channel, begin, begin + timedelta(days=days - 1), spend * self.scale)
            )
        return result

    def _customer(self, index: int) -> Customer:
        rng = self.rng
        segment = _weighted(rng, SEGMENTS)
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        paid = [c for c in self.campaigns if c.channel == channel]
        campaign = None
        if paid and rng.random() < 0.75:
            chosen = rng.choice(paid)
            campaign = chosen.name
            first_touch = self._day_between(chosen.start, chosen.end + timedelta(days=14))
        else:
            if paid:  # seen on a paid channel outside its campaigns: organic reach
                channel = rng.choice(["Website", "Referral"])
            first_touch = self._day_between(self.start, self.as_of - timedelta(days=3))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        business = f"{rng.choice(PLACE_WORDS)} {rng.choice(BUSINESS_WORDS[segment])}"
        domain = business.lower().replace(" ", "").replace("é", "e") + ".example"
        return Customer(
            id=f"C{index + 1:04d}",
            name=f"{first} {last}",
            company=business,
            email=f"{first.lower()}.{last.lower()}@{domain}",
            phone=f"+49 30 {rng.randrange(1000000, 9999999)}",
            segment=segment,
            channel=channel,
            campaign=campaign,
            first_touch=first_touch,
        )

    # -- deals, their stage history and activities --------------------------------------------

    def _deal(self, number: int, customer: Customer, first: bool) -> None:
        rng = self.rng
        assert customer.first_touch is not None
        assert customer.segment is not None
        created = (
            customer.first_touch
            if first
            else self._day_between(customer.first_touch, self.as_of - timedelta(days=1))
        )
        title, base = rng.choice(OFFERS)
        value = round(base * SEGMENT_SIZE[customer.segment] * rng.lognormvariate(0, 0.35), -1)
        start_stage = "Nurturing" if rng.random() < 0.15 else "Lead acquisition"
        deal = Deal(
            id=f"D{number:05d}",
            customer_id=customer.id,
            title=title,
            value=value,
            stage=start_stage,
            status="open",
            created=created,
            stage_entered=created,
            expected_close=created + timedelta(days=rng.randrange(30, 90)),
            channel=customer.channel,
            campaign=customer.campaign if first else None,
        )
        moment = self._business_time(created)
        step = transitions.create(deal, self.pipeline, moment)
        deal, history = step.deal, [step.event]
        went_back = False
        lift = CHANNEL_LIFT.get(deal.channel or "", 0.0)
        while deal.status == "open":
            mean_days, (advance, skip, _lose, back) = STAGE_BEHAVIOUR[deal.stage]
            elapsed = timedelta(days=rng.expovariate(1.0 / mean_days) + 0.5)
            moment = (moment + elapsed).replace(second=0, microsecond=0)
            if moment.date() > self.as_of:
                break
            roll = rng.random()
            win_bias = lift if deal.stage == "Negotiation" else lift / 2
            if went_back:
                back = 0.0
            if roll < back:
                target = self.pipeline.open_stages[self._rank(deal.stage) - 1].name
                step = transitions.move(deal, target, self.pipeline, moment, note="Needs rework")
                went_back = True
            elif roll < back + advance + win_bias:
                step = transitions.advance(deal, self.pipeline, moment)
            elif roll < back + advance + win_bias + skip:
                target = self.pipeline.funnel[self._rank(deal.stage) + 2].name
                step = transitions.move(
                    deal, target, self.pipeline, moment, note="Ready to negotiate"
                )
            else:
                reason = _weighted(rng, LOST_REASON_WEIGHTS[deal.stage])
                step = transitions.lose(deal, reason, self.pipeline, moment)
            deal, history = step.deal, [*history, step.event]
        self.events.extend(history)
        self.deals.append(self._activities(deal, history))

    def _activities(self, deal: Deal, history: list[StageEvent]) -> Deal:
        """Plan and log activities along the deal's history; returns the deal with its last
        activity and next follow-up set."""
        rng = self.rng
        last_done: date | None = None
        for event, after in zip(history, [*history[1:], None], strict=True):
            if self.pipeline.stage(event.to_stage).outcome != "open":
                continue
            end = after.timestamp.date() if after else self.as_of + timedelta(days=10)
            for _ in range(rng.choice((1, 1, 2))):
                due = self._day_between(event.timestamp.date(), max(end, event.timestamp.date()))
                kind = rng.choice(_ACTIVITY_BY_STAGE[event.to_stage])
                late = rng.random() < 0.35 and (after is None)
                done = None if due > self.as_of or late else min(due, self.as_of)
                self.activities.append(
                    Activity(
                        id=f"A{len(self.activities) + 1:06d}",
                        deal_id=deal.id,
                        customer_id=deal.customer_id,
                        type=kind,
                        due=due,
                        done=done,
                        note=deal.title,
                    )
                )
                if done is not None and (last_done is None or done > last_done):
                    last_done = done
        follow_up = None
        probability = None
        if deal.status == "open":
            follow_up = self.as_of + timedelta(days=rng.randrange(-12, 15))
            if deal.stage == "Negotiation" and rng.random() < 0.3:
                probability = rng.choice((0.5, 0.7, 0.8, 0.9))
        return replace(
            deal,
            last_activity=last_done,
            next_follow_up=follow_up,
            probability=probability,
        )

    # -- orders ---------------------------------------------------------------------------------

    def _orders(self) -> None:
        """Each customer with a won deal orders from the win date on: exponential gaps at a
        personal monthly rate (Gamma-distributed across customers), dropping out after any order
        with a personal probability (Beta-distributed), amounts around a personal mean."""
        rng = self.rng
        first_win: dict[str, date] = {}
        for deal in self.deals:
            if deal.status == "won" and deal.closed is not None:
                known = first_win.get(deal.customer_id)
                first_win[deal.customer_id] = min(known or deal.closed, deal.closed)
        segment = {c.id: c.segment or "Cafés" for c in self.customers}
        for customer_id in sorted(first_win):
            rate_per_day = rng.gammavariate(4.0, 0.9) * ORDER_RATE[segment[customer_id]] / 30.4375
            dropout = rng.betavariate(1.0, 60.0)
            mean_amount = rng.gammavariate(4.0, 60.0) * SEGMENT_SIZE[segment[customer_id]]
            day = first_win[customer_id]
            while day <= self.as_of:
                amount = round(rng.gammavariate(6.0, mean_amount / 6.0), 2)
                self.orders.append(
                    Order(f"O{len(self.orders) + 1:07d}", customer_id, day, max(amount, 5.0))
                )
                if rng.random() < dropout:
                    break
                day = day + timedelta(days=max(MIN_ORDER_GAP, round(rng.expovariate(rate_per_day))))

    # -- helpers --------------------------------------------------------------------------------

    def _rank(self, stage: str) -> int:
        rank = self.pipeline.rank(stage)
        assert rank is not None
        return rank

    def _day_between(self, first: date, last: date) -> date:
        span = max(0, (last - first).days)
        return first + timedelta(days=self.rng.randint(0, span))

    def _business_time(self, day: date) -> datetime:
        minutes = self.rng.randrange(8 * 60, 18 * 60)
        return datetime.combine(day, time(minutes // 60, minutes % 60))


_ACTIVITY_BY_STAGE = {
    "Lead acquisition": ("Call", "E-mail"),
    "Nurturing": ("E-mail", "Meeting", "Demo"),
    "Negotiation": ("Proposal", "Meeting", "Call"),
}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return date(year, month + 1, min(day.day, last_day))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
