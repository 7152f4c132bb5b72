"""A deterministic demo business for each preset (:mod:`salesflow_xl.core.demo_businesses`);
the default, b2b, is Ember & Oak, a one-person specialty coffee roaster selling supply contracts
to cafés, restaurants, offices, hotels and shops.

At ``scale=1`` the b2b business has about 150 customers in five segments and six acquisition
channels, 300 deals over the 18 months before ``as_of`` with realistic stage histories (lost
deals with reasons, skipped stages, a few backward moves), activities with due dates, six
campaigns with spend and about 2,000 orders: each won customer reorders at a personal rate and
may drop out after any order (the buying pattern BG/NBD describes), with a personal average
order value. Every preset has 300 deals per unit of ``scale``, which multiplies customers, deals
and orders (``scale=1000/3`` gives 100,000 deals) and campaign spend.

The same ``seed`` and ``scale`` always give the same data (Python's ``random.Random`` streams are
stable across platforms and versions).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from salesflow_xl.core import presets, transitions
from salesflow_xl.core.demo_businesses import BUSINESSES, DemoBusiness
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.model import (
    Activity,
    Campaign,
    Customer,
    Deal,
    Order,
    Settings,
    StageEvent,
)

if TYPE_CHECKING:  # pandas is loaded when the demo is built, not when its defaults are read
    from salesflow_xl.core.dataset import SalesData

DEMO_AS_OF = date(2026, 6, 30)
DEMO_SEED = 2026
MONTHS = 18

#: Fewest days between two deliveries to the same customer.
MIN_ORDER_GAP = 4
#: Chance that a customer drawn on a channel with campaigns came through one of them; the others
#: saw the channel outside its campaigns and are counted on an organic channel instead.
CAMPAIGN_REACH = 0.75
FIRST_NAMES = (
    "Anna Ben Clara David Elif Finn Greta Hugo Ines Jonas Kira Luca Mara Noah Olga Paul Rosa "
    "Sami Tara Umut Vera Wim Yara Zoe"
).split()
LAST_NAMES = (
    "Adler Berg Costa Dahl Engel Fischer Garcia Hansen Ivanova Jensen Kaya Lang Meyer Novak "
    "Okafor Petrov Quinn Rossi Schulz Tanaka Urban Vogel Weber Yilmaz Zimmer"
).split()
PLACE_WORDS = (
    "Harbour Linden Elm Mill River Oak Market Garden Station Bridge Castle Meadow North Old "
    "Stone Corner"
).split()


#: About 1,910 orders per unit of scale: 500 makes 955,000 rows, within Excel's 1,048,576.
MAX_SCALE = 500
FIRST_AS_OF = date(1902, 1, 1)
LAST_AS_OF = date(9998, 12, 31)


def generate(
    scale: float = 1.0,
    seed: int = DEMO_SEED,
    as_of: date = DEMO_AS_OF,
    preset: str = presets.DEFAULT,
) -> SalesData:
    """The demo business of ``preset`` as :class:`SalesData` (its pipeline and lists, settings
    as of ``as_of``)."""
    kind = presets.preset(preset)
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
    return _Builder(random.Random(seed), scale, as_of, kind).build()


class _Builder:
    def __init__(self, rng: random.Random, scale: float, as_of: date, kind: presets.Preset) -> None:
        self.rng = rng
        self.scale = scale
        self.as_of = as_of
        self.start = _add_months(as_of, -MONTHS) + timedelta(days=1)
        self.kind = kind
        self.business: DemoBusiness = BUSINESSES[kind.key]
        self.pipeline = kind.pipeline
        self.last_open = self.pipeline.open_stages[-1].name
        self.campaigns = self._campaigns()
        self.customers: list[Customer] = []
        self.deals: list[Deal] = []
        self.events: list[StageEvent] = []
        self.activities: list[Activity] = []
        self.orders: list[Order] = []

    def build(self) -> SalesData:
        n_customers = max(1, round(self.business.customers * self.scale))
        n_deals = max(n_customers, round(self.business.deals * self.scale))
        self.customers = [self._customer(i) for i in range(n_customers)]
        owners = list(range(n_customers)) + [
            self.rng.randrange(n_customers) for _ in range(n_deals - n_customers)
        ]
        for number, owner in enumerate(owners, start=1):
            self._deal(number, self.customers[owner], first=number <= n_customers)
        direct = round(self.business.direct_customers * self.scale)
        buyers = [self._customer(n_customers + i) for i in range(direct)]
        self.customers.extend(buyers)
        self._orders({c.id: c.first_touch for c in buyers if c.first_touch is not None})
        settings = Settings(
            as_of=self.as_of,
            retention_months=self.business.retention_months,
            gross_margin=self.business.gross_margin,
            annual_discount_rate=self.business.annual_discount_rate,
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
            lists=replace(self.kind.lists, segments=tuple(self.business.segments)),
        )

    # -- customers and campaigns --------------------------------------------------------------

    def _campaigns(self) -> list[Campaign]:
        result = []
        for name, channel, offset, days, spend in self.business.campaigns:
            begin = _add_months(self.start, offset)
            result.append(
                Campaign(name, channel, begin, begin + timedelta(days=days - 1), spend * self.scale)
            )
        return result

    def _customer(self, index: int) -> Customer:
        rng, business = self.rng, self.business
        segment = _weighted(rng, {name: v[0] for name, v in business.segments.items()})
        channel = _weighted(rng, {name: v[0] for name, v in business.channels.items()})
        paid = [c for c in self.campaigns if c.channel == channel]
        campaign = None
        if paid and rng.random() < CAMPAIGN_REACH:
            chosen = rng.choice(paid)
            campaign = chosen.name
            first_touch = self._day_between(chosen.start, chosen.end + timedelta(days=14))
        else:
            if paid:  # seen on a paid channel outside its campaigns: organic reach
                channel = rng.choice(list(business.organic_channels))
            first_touch = self._day_between(self.start, self.as_of - timedelta(days=3))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = None
        domain = "mail.example"  # a private buyer's address
        if business.business_words[segment]:
            words = business.business_words[segment]
            company = f"{rng.choice(PLACE_WORDS)} {rng.choice(words)}"
            domain = company.lower().replace(" ", "").replace("é", "e") + ".example"
        return Customer(
            id=f"C{index + 1:04d}",
            name=f"{first} {last}",
            company=company,
            email=f"{first.lower()}.{last.lower()}@{domain}",
            phone=f"+49 30 {rng.randrange(1000000, 9999999)}",
            segment=segment,
            channel=channel,
            campaign=campaign,
            first_touch=first_touch,
        )

    # -- deals, their stage history and activities --------------------------------------------

    def _deal(self, number: int, customer: Customer, first: bool) -> None:
        rng, business = self.rng, self.business
        assert customer.first_touch is not None
        assert customer.segment is not None
        created = (
            customer.first_touch
            if first
            else self._day_between(customer.first_touch, self.as_of - timedelta(days=1))
        )
        title, base = rng.choice(business.offers)
        size = business.segments[customer.segment][1]
        value = round(base * size * rng.lognormvariate(0, 0.35), -1 if base >= 1000 else 0)
        first_stages = self.pipeline.open_stages
        start_stage = first_stages[1 if rng.random() < business.second_start else 0].name
        deal = Deal(
            id=f"D{number:05d}",
            customer_id=customer.id,
            title=title,
            value=value,
            stage=start_stage,
            status="open",
            created=created,
            stage_entered=created,
            expected_close=created + timedelta(days=rng.randrange(*business.close_days)),
            channel=customer.channel,
            campaign=customer.campaign if first else None,
        )
        moment = self._business_time(created)
        step = transitions.create(deal, self.pipeline, moment)
        deal, history = step.deal, [step.event]
        went_back = False
        lift = business.channels.get(deal.channel or "", (0.0, 0.0))[1]
        while deal.status == "open":
            behaviour = business.stages[deal.stage]
            advance, skip, back = behaviour.advance, behaviour.skip, behaviour.back
            elapsed = timedelta(days=rng.expovariate(1.0 / behaviour.mean_days) + 0.5)
            moment = (moment + elapsed).replace(second=0, microsecond=0)
            if moment.date() > self.as_of:
                break
            roll = rng.random()
            win_bias = lift if deal.stage == self.last_open else lift / 2
            if went_back:
                back = 0.0
            if roll < back:
                target = self.pipeline.open_stages[self._rank(deal.stage) - 1].name
                step = transitions.move(
                    deal, target, self.pipeline, moment, note=business.back_note
                )
                went_back = True
            elif roll < back + advance + win_bias:
                step = transitions.advance(deal, self.pipeline, moment)
            elif roll < back + advance + win_bias + skip:
                target = self.pipeline.funnel[self._rank(deal.stage) + 2].name
                step = transitions.move(
                    deal, target, self.pipeline, moment, note=business.skip_note
                )
            else:
                reason = _weighted(rng, behaviour.lost_reasons)
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
                kind = rng.choice(self.business.stages[event.to_stage].activities)
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
            if deal.stage == self.last_open and rng.random() < 0.3:
                probability = rng.choice((0.5, 0.7, 0.8, 0.9))
        return replace(
            deal,
            last_activity=last_done,
            next_follow_up=follow_up,
            probability=probability,
        )

    # -- orders ---------------------------------------------------------------------------------

    def _orders(self, first_win: dict[str, date]) -> None:
        """Each customer with a won deal orders from the win date on (and each in
        ``first_win``, a direct buyer, from that date): exponential gaps at a personal monthly
        rate (Gamma-distributed across customers), dropping out after any order with a personal
        probability (Beta-distributed), amounts around a personal mean."""
        rng, business = self.rng, self.business
        for deal in self.deals:
            if deal.status == "won" and deal.closed is not None:
                known = first_win.get(deal.customer_id)
                first_win[deal.customer_id] = min(known or deal.closed, deal.closed)
        segment = {c.id: business.segments[c.segment or ""] for c in self.customers}
        for customer_id in sorted(first_win):
            _share, size, rate = segment[customer_id]
            rate_per_day = rng.gammavariate(4.0, business.order_rate) * rate / 30.4375
            dropout = rng.betavariate(1.0, business.dropout)
            mean_amount = rng.gammavariate(4.0, business.order_amount) * size
            day = first_win[customer_id]
            while day <= self.as_of:
                amount = round(rng.gammavariate(6.0, mean_amount / 6.0), 2)
                self.orders.append(
                    Order(f"O{len(self.orders) + 1:07d}", customer_id, day, max(amount, 5.0))
                )
                if rng.random() < dropout:
                    break
                gap = round(rng.expovariate(rate_per_day))
                day = day + timedelta(days=max(MIN_ORDER_GAP, gap))

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


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last_day = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return date(year, month + 1, min(day.day, last_day))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
