"""Expected revenue per coming month, learned from the workbook's history, with an 80 % interval.

Three parts, each from what was known at the moment ``at`` the forecast is made:

- **Open deals.** Each is won with its stage's learned probability (:mod:`.calibration`). When,
  if won: on its own expected close date where that is believable (after ``at`` and at most
  :data:`BELIEVABLE_DAYS` later), else as the deals that were still in its stage after as long
  as it has been there went on (:func:`.incidence.landmark`; fewer than :data:`MIN_AT_RISK` of
  them: within the next :data:`OVERDUE_DAYS` days).
- **Deals not yet in the pipeline** (:func:`_newcomers`). They come in at the rate of the last
  :data:`INFLOW_DAYS` days, following the trend from the span before as far as it stands out
  of the noise (:func:`_trend_trust`), in bursts as variable as
  the last :data:`BURST_MONTHS` months were; each brings what one of the deals that came in
  during the :data:`YIELD_DAYS` days before the month's end, as many days before ``at``,
  brought as many days after coming in (its value, if it was won by then).
- **Repeat orders** of the customers who ordered by ``at``: BG/NBD expected purchases ×
  Gamma-Gamma expected spend (:mod:`salesflow_xl.core.clv`); customers who have not ordered yet
  come and order as the new deals do (:func:`_newcomers`, their first orders as arrivals).

The expected revenue of a month is the sum of the three expectations. The interval is the 10th
and 90th percentile of :data:`DRAWS` simulated futures: each open deal won or not (its chance
scaled by a draw from the Beta posterior of its stage's share won) and closing in a month as
above; newcomers arriving at rates drawn from their Gamma posteriors, each bringing what a past
newcomer of the draw's own resample brought; each customer alive or not (P(alive)), buying at a
rate and dropping out with a probability drawn from their BG/NBD posterior (λ ~ Gamma(r + x,
α + T), p ~ Beta(a, b + x)), each purchase's amount from their Gamma-Gamma posterior
(ν ~ Gamma(px + q, v + x·z̄), amount ~ Gamma(p, ν)). New customers are simulated with the
wins that bring them (:func:`_won_customers`): each simulated win of a customer who had neither
ordered nor won (an open deal's, or a new deal standing for a past customer's first win) brings
one, ordering as the customer of a past such win did; customers whose first order followed no
win of theirs come as :func:`_new_customers` says. The expectation of new customers' orders
is still :func:`_new_customers`'.

Months are calendar months: the first is the rest of ``at``'s month (the next month when ``at``
is a month's last day).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from salesflow_xl.core.clv import bgnbd, gamma_gamma, uncertainty
from salesflow_xl.core.clv import value as clv_value
from salesflow_xl.core.clv.summary import UNITS, customer_summary
from salesflow_xl.core.dataset import SalesData
from salesflow_xl.core.errors import SalesflowError
from salesflow_xl.core.forecast.calibration import PRIOR_WEIGHT, calibrate
from salesflow_xl.core.forecast.history import deals_at, moment, steps
from salesflow_xl.core.forecast.incidence import Incidence, by_duration, landmark
from salesflow_xl.core.i18n import _

#: Simulated futures behind the interval.
DRAWS = 2000
#: A large business's forecast draws fewer futures (:func:`draws_for`): at most this many
#: draws × customers (or deals), so that it takes seconds and megabytes, not minutes and
#: gigabytes (100,000 deals: 250 draws).
SIMULATED_CELLS = 4_000_000
MIN_DRAWS = 250
#: With more open deals than this, a deal's time in its stage is counted in whole days, so
#: that the deals as long in a stage share one estimate of when they close (each estimate
#: reads every deal that was in the stage: 10,000 open deals took 18 s, now under a second).
WHOLE_DAYS_ABOVE = 1000
#: The interval: these quantiles of the simulated revenue (an 80 % interval).
INTERVAL = (0.10, 0.90)
#: A deal's own expected close date is believed when at most this many days ahead.
BELIEVABLE_DAYS = 365
#: The past deals whose outcomes stand for the new deals': those that came in during this
#: many days before the forecast's window (so their outcome over the window is known).
YIELD_DAYS = 365
#: At least this many past deals to learn the new deals' outcomes from.
MIN_POOL = 10
#: 30-day spans whose newcomer counts measure how bursty arrivals are.
BURST_MONTHS = 12
#: Fewest whole 30-day spans of history to measure bursts on (a line through them leaves two
#: fewer degrees of freedom).
MIN_BURST_MONTHS = 4
#: Days of new deals that measure how fast deals come in lately.
INFLOW_DAYS = 91
#: Won deals with an expected close date needed to judge those dates.
MIN_DATED = 10
#: Expected close dates are believed when half the won deals closed this near theirs.
BELIEVABLE_ERROR_DAYS = 14
#: Deals still under way needed to learn a deal's chances from those like it.
MIN_AT_RISK = 5
#: Days within which a deal closes that has been in its stage longer than any won deal took.
OVERDUE_DAYS = 30
#: The orders' model time unit.
UNIT = "weeks"


@dataclass(frozen=True)
class Forecast:
    """A revenue forecast.

    Attributes:
        at: the moment it was made for.
        months: one row per month — month ("2026-07"), start, end (dates), deals (expected
            revenue of the open deals won then), new_deals (of deals not yet in the pipeline),
            orders (repeat orders), total, low and high (the 80 % interval of the total),
            deals_low and deals_high (of the deals' revenue: open and new).
        stages: the calibration it used (:func:`~salesflow_xl.core.forecast.calibration.calibrate`).
        notes: what it could not do (too little history for the new business, orders the
            models could not be fitted to).
    """

    at: date
    months: pd.DataFrame
    stages: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def draws_for(data: SalesData) -> int:
    """The simulated futures a forecast of ``data`` takes: :data:`DRAWS`, fewer for a business
    of so many customers or deals that draws × their count would pass :data:`SIMULATED_CELLS`
    (the simulation's arrays hold a value per draw and customer), never fewer than
    :data:`MIN_DRAWS`. A 10th and 90th percentile of 250 draws are still within about two
    percentiles of the true ones."""
    units = max(int(data.orders["customer_id"].nunique()), len(data.deals), 1)
    return int(min(DRAWS, max(MIN_DRAWS, SIMULATED_CELLS // units)))


def windows(at: date, months: int) -> list[tuple[date, date]]:
    """(first day, last day) of each forecast month: the rest of ``at``'s month, unless ``at``
    is its last day, then whole months."""
    found = []
    start = at + timedelta(days=1)
    while len(found) < months:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        found.append((start, following - timedelta(days=1)))
        start = following
    return found


def forecast(
    data: SalesData,
    months: int = 6,
    at: date | None = None,
    draws: int | None = None,
    seed: int = 0,
    prior_weight: float = PRIOR_WEIGHT,
    then: pd.DataFrame | None = None,
) -> Forecast:
    """The revenue forecast for ``months`` months from ``at`` (default: the as-of date), as
    the module describes, from ``draws`` simulated futures (default: :func:`draws_for`); the
    same ``seed`` gives the same interval. ``then``: the deals as they stood at ``at``
    (:func:`~salesflow_xl.core.forecast.history.deals_at`), when the caller has them
    already."""
    draws = draws or draws_for(data)
    if months < 1:
        raise SalesflowError(_("months must be at least 1, got {months}").format(months=months))
    at = at or data.settings.as_of
    rng = np.random.default_rng(seed)
    spans = windows(at, months)
    edges = np.array([_days(at, end) for _start, end in spans])  # days after at
    if then is None:
        then = deals_at(data.deals, data.stage_log, data.pipeline, at)
    stages = calibrate(then, data.pipeline, prior_weight)
    notes: list[str] = []
    ordered = data.orders[pd.to_datetime(data.orders["date"]) <= pd.Timestamp(at)]
    first_order = pd.to_datetime(ordered["date"]).groupby(ordered["customer_id"]).min()
    first_wins = _first_wins(then, first_order)
    known = set(first_order.index) | set(then.loc[then["status"] == "won", "customer_id"])
    open_mean, open_draws, open_wins = _open_deals(then, stages, data, at, edges, draws, rng, known)
    new_mean, new_draws, note, new_wins = _new_business(
        then, at, edges, draws, rng, pd.Index(first_wins["id"])
    )
    if note:
        notes.append(note)
    wins = tuple(np.concatenate(parts) for parts in zip(open_wins, new_wins, strict=True))
    orders_mean, orders_draws, note = _orders(ordered, at, edges, draws, rng, (first_wins, wins))
    if note:
        notes.append(note)
    deals_draws = open_draws + new_draws
    total_draws = deals_draws + orders_draws
    low, high = INTERVAL
    frame = pd.DataFrame(
        {
            "month": [f"{s.year}-{s.month:02d}" for s, _e in spans],
            "start": [s for s, _e in spans],
            "end": [e for _s, e in spans],
            "deals": open_mean,
            "new_deals": new_mean,
            "orders": orders_mean,
        }
    )
    frame["total"] = frame["deals"] + frame["new_deals"] + frame["orders"]
    frame["low"] = np.quantile(total_draws, low, axis=0)
    frame["high"] = np.quantile(total_draws, high, axis=0)
    frame["deals_low"] = np.quantile(deals_draws, low, axis=0)
    frame["deals_high"] = np.quantile(deals_draws, high, axis=0)
    return Forecast(at, frame, stages, tuple(notes))


def _days(at: date, day: date) -> float:
    """Days from the end of ``at`` to the end of ``day``."""
    return float((day - at).days)


def _open_deals(
    then: pd.DataFrame,
    stages: pd.DataFrame,
    data: SalesData,
    at: date,
    edges: np.ndarray,
    draws: int,
    rng: np.random.Generator,
    known: set | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Expected revenue per month of the open deals, ``draws`` simulated futures, and the wins
    of customers not in ``known`` (who had neither ordered nor won a deal): per win its draw
    and its day after ``at`` (uniform within its month), a customer's first win in a draw
    only."""
    months = len(edges)
    known = known or set()
    starts = np.concatenate([[0.0], edges[:-1]])
    new_draw, new_time, new_customer = [], [], []
    mean = np.zeros(months)
    simulated = np.zeros((draws, months))
    end = moment(at)
    step_of = steps(data.pipeline)
    configured = dict(zip(stages["step"], stages["configured"], strict=True))
    fallback = dict(zip(stages["step"], stages["in_stage"], strict=True))
    stays = {k: by_duration(*_stays(then, k, end)) for k in configured}
    ended = {k: int(np.sum(outcome != "open")) for k, (_s, _d, outcome) in stays.items()}
    believed = close_dates_believed(then)
    # how sure the stages' chances are: each draw scales a stage's chances by a draw from the
    # Beta posterior of its share won, over its share's posterior mean
    scale = {
        k: rng.beta(w + 1, n - w + 1, draws) / ((w + 1) / (n + 2))
        for k, n, w in zip(
            stages["step"], stages["in_stage_closed"], stages["in_stage_won"], strict=True
        )
    }
    is_open = then[then["status"] == "open"]
    # many open deals: those as long in their stage (in whole days) share one estimate
    whole_days = len(is_open) > WHOLE_DAYS_ABOVE
    shares: dict[tuple[int, float], np.ndarray] = {}
    for row in is_open.itertuples(index=False):
        k = step_of.get(row.stage, 0)
        if k not in configured or not row.value > 0:
            continue
        elapsed = max((end - row.visited.get(k, row.entered)) / pd.Timedelta(days=1), 0.0)
        if whole_days:
            elapsed = float(np.floor(elapsed))
        if (k, elapsed) not in shares:
            shares[(k, elapsed)] = _won_by_month(
                landmark(*stays[k], elapsed), ended[k], edges, configured[k], fallback[k]
            )
        share = shares[(k, elapsed)]
        expected = row.expected_close
        if believed and expected is not None and pd.notna(expected):
            ahead = (pd.Timestamp(expected).date() - at).days
            if 0 < ahead <= BELIEVABLE_DAYS:
                won = share[: months + 1].sum()
                share = np.zeros(months + 2)
                share[min(int(np.searchsorted(edges, ahead)), months)] = won
                share[-1] = 1 - won
        mean += row.value * share[:months]
        chance = share[: months + 1].sum()
        if chance <= 0:
            continue
        month = rng.choice(months + 1, size=draws, p=share[: months + 1] / chance)
        won = rng.random(draws) < np.minimum(chance * scale[k], 1.0)
        hit = won & (month < months)
        np.add.at(simulated, (np.flatnonzero(hit), month[hit]), row.value)
        if row.customer_id not in known:
            span = month[hit]
            new_draw.append(np.flatnonzero(hit))
            new_time.append(starts[span] + rng.random(len(span)) * (edges[span] - starts[span]))
            new_customer.append(np.full(len(span), str(row.customer_id), dtype=object))
    return mean, simulated, _first_per_customer(new_draw, new_time, new_customer)


def _first_per_customer(
    draw: list[np.ndarray], time: list[np.ndarray], customer: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """(draw, time) of the earliest win of each customer in each draw."""
    if not draw:
        return np.zeros(0, dtype="int64"), np.zeros(0)
    draw_, time_ = np.concatenate(draw), np.concatenate(time)
    code = pd.factorize(np.concatenate(customer))[0]
    order = np.lexsort((time_, draw_, code))
    pair = code[order] * (int(draw_.max()) + 1) + draw_[order]
    first = np.concatenate([[True], pair[1:] != pair[:-1]])
    return draw_[order][first], time_[order][first]


def _first_wins(then: pd.DataFrame, first_order: pd.Series) -> pd.DataFrame:
    """The won deals that brought a new customer: each customer's first won deal, unless they
    had ordered before its day (``first_order``: customer → day of first order). Columns id,
    customer_id and day (the day it was won, midnight)."""
    won = then[(then["status"] == "won") & then["closed"].notna()].sort_values("closed")
    first = won.drop_duplicates("customer_id")
    day = first["closed"].dt.normalize()
    before = first_order.reindex(first["customer_id"]).to_numpy(dtype="datetime64[ns]")
    new = ~(before < day.to_numpy(dtype="datetime64[ns]"))  # NaT compares False
    return pd.DataFrame(
        {
            "id": first["id"].to_numpy()[new],
            "customer_id": first["customer_id"].to_numpy()[new],
            "day": day.to_numpy()[new],
        }
    )


def _stays(
    then: pd.DataFrame, k: int, end: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of the deals that were in the stage of step ``k``: the days each stayed in it (from
    first entering it to first leaving it for another stage, won or lost; or to ``end``), the
    days from first entering it to the deal's end (``end`` while open) and the outcome."""
    was_in = then[then["visited"].map(lambda marks: k in marks).astype(bool)]  # bool if none
    stays, days = [], []
    for marks, closed in zip(was_in["visited"], was_in["closed"], strict=True):
        start = marks[k]
        left = min((t for t in marks.values() if t > start), default=end)
        stop = end if pd.isna(closed) else closed
        stays.append((min(left, stop) - start) / pd.Timedelta(days=1))
        days.append((stop - start) / pd.Timedelta(days=1))
    return (
        np.maximum(np.asarray(stays, dtype="float64"), 0.0),
        np.maximum(np.asarray(days, dtype="float64"), 0.0),
        was_in["status"].to_numpy(),
    )


def _won_by_month(
    curve: Incidence, ended: int, edges: np.ndarray, configured: float, fallback: float
) -> np.ndarray:
    """The chance a deal is won in each month, won later, or not won (the last two entries),
    from ``curve``: the incidence of winning from now on, learned from the deals that were
    still in its stage after as long as it has been (:func:`.incidence.landmark`); shrunk
    toward the configured probability with
    :data:`~salesflow_xl.core.forecast.calibration.PRIOR_WEIGHT` deals' weight against the
    ``ended`` deals that ended (won or lost) after being in the stage. With fewer than
    :data:`MIN_AT_RISK` deals behind the curve: the stage's learned probability, spread over
    the next :data:`OVERDUE_DAYS` days."""
    months = len(edges)
    share = np.zeros(months + 2)
    if curve.at_risk(0.0) < MIN_AT_RISK:
        spread = np.bincount(
            np.searchsorted(edges, np.linspace(0.0, OVERDUE_DAYS, 31)), minlength=months + 1
        )
        share[: months + 1] = fallback * spread / spread.sum()
        share[-1] = 1 - fallback
        return share
    points = curve.at(np.concatenate([edges, [np.inf]]))[0]
    steps_won = np.diff(np.concatenate([[0.0], points]))
    total = float(steps_won.sum())
    shrunk = (ended * total + PRIOR_WEIGHT * configured) / (ended + PRIOR_WEIGHT)
    if total > 0:
        share[: months + 1] = steps_won * shrunk / total
    else:
        share[months] = shrunk
    share[-1] = 1 - shrunk
    return np.clip(share, 0.0, 1.0)


def close_dates_believed(then: pd.DataFrame) -> bool:
    """Whether the deals' own expected close dates have proved right: at least
    :data:`MIN_DATED` won deals had one, and half of them closed within
    :data:`BELIEVABLE_ERROR_DAYS` days of it."""
    won = then[(then["status"] == "won") & then["expected_close"].notna()]
    if len(won) < MIN_DATED:
        return False
    error = (won["closed"].dt.normalize() - pd.to_datetime(won["expected_close"])).abs()
    return bool(error.median() <= pd.Timedelta(days=BELIEVABLE_ERROR_DAYS))


def _new_business(
    then: pd.DataFrame,
    at: date,
    edges: np.ndarray,
    draws: int,
    rng: np.random.Generator,
    first: pd.Index | None = None,
) -> tuple[np.ndarray, np.ndarray, str | None, tuple[np.ndarray, np.ndarray]]:
    """What deals not yet in the pipeline will bring (:func:`_newcomers`: deals coming in,
    bringing their value when won), and the wins among them that stand for a deal in ``first``
    (ids of won deals that brought a new customer): their draw and day after ``at``."""
    arrivals = then.set_index("id")["first_seen"]
    won = then[then["status"] == "won"]
    events = pd.DataFrame({"unit": won["id"], "time": won["closed"], "amount": won["value"]})
    mean, simulated, enough, wins = _newcomers(arrivals, events, at, edges, draws, rng, first)
    if enough:
        return mean, simulated, None, wins
    note = _(
        "new deals: fewer than {count} deals came in long enough before the forecast to learn "
        "from; counted as none"
    ).format(count=MIN_POOL)
    return mean, simulated, note, wins


def _new_customers(
    orders: pd.DataFrame, at: date, edges: np.ndarray, draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """What customers who have not ordered yet will order (:func:`_newcomers`: customers
    coming with their first order, then ordering as past new customers did)."""
    arrivals = pd.to_datetime(orders["date"]).groupby(orders["customer_id"]).min()
    events = _order_events(orders)
    mean, simulated, _enough, _wins = _newcomers(arrivals, events, at, edges, draws, rng)
    return mean, simulated


def _order_events(orders: pd.DataFrame) -> pd.DataFrame:
    """The orders as :func:`_newcomers` takes events: unit (the customer), time, amount."""
    return pd.DataFrame(
        {
            "unit": orders["customer_id"],
            "time": pd.to_datetime(orders["date"]),
            "amount": orders["amount"],
        }
    )


def _won_customers(
    first_wins: pd.DataFrame,
    orders: pd.DataFrame,
    wins: tuple[np.ndarray, np.ndarray],
    at: date,
    edges: np.ndarray,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray | None:
    """``draws`` futures of what the customers that the simulated ``wins`` bring will order
    per month: each win (its draw, its day after ``at``) stands for one of the past won deals
    that brought a new customer (``first_wins``: :func:`_first_wins`), picked as
    :func:`_newcomers` picks, and brings that customer's orders as many days after it. None
    when fewer than :data:`MIN_POOL` such deals are known for a month."""
    months = len(edges)
    simulated = np.zeros((draws, months))
    end = moment(at)
    arrivals = pd.Series(first_wins["day"].to_numpy(), index=first_wins["customer_id"])
    events = _order_events(orders)
    who, times = wins
    starts = np.concatenate([[0.0], edges[:-1]])
    for j in range(months):
        span = float(edges[j])
        found = _pool(arrivals, events, end, span)
        if found is None:
            return None
        size, owner, lag, amount, _units = found
        came = times <= span
        simulated[:, j] = _brought(
            draws, who[came], times[came], owner, lag, amount, size, starts[j], span, rng
        )[0]
    return simulated


def _newcomers(
    arrivals: pd.Series,
    events: pd.DataFrame,
    at: date,
    edges: np.ndarray,
    draws: int,
    rng: np.random.Generator,
    first: pd.Index | None = None,
) -> tuple[np.ndarray, np.ndarray, bool, tuple[np.ndarray, np.ndarray]]:
    """What newcomers not seen by ``at`` will bring per month: new deals (``arrivals``: when
    each deal came in; ``events``: unit, time and amount of each win) or new customers (when
    each first ordered; their orders).

    Newcomers come as a Poisson process whose rate follows the trend of the last two
    :data:`INFLOW_DAYS`-day spans: the latest span's rate, changing by the share
    :func:`_trend_trust` believes of the difference between the two spans' rates per span
    (never below 0 nor above twice the latest rate). A newcomer
    brings in a month what one of the past newcomers brought that many days after coming,
    drawn, for a month ending d days after ``at``, from those that came during the
    :data:`YIELD_DAYS` days before d days ago (what they brought over d days is known), so a
    month's forecast does not depend on how many months are asked for. In the simulation the
    two rates are drawn from their Gamma posteriors and each draw learns from its own resample
    of the past newcomers. Returns the means, the draws, whether there was history enough
    (at least :data:`MIN_POOL` past newcomers), and the simulated events of newcomers standing
    for a past one in ``first`` that fall in the months (their draw and day after ``at``)."""
    months = len(edges)
    new_draw: list[np.ndarray] = []
    new_time: list[np.ndarray] = []
    simulated = np.zeros((draws, months))
    mean = np.zeros(months)
    end = moment(at)
    arrivals = arrivals.dropna()
    window = pd.Timedelta(days=INFLOW_DAYS)
    latest = int(((arrivals > end - window) & (arrivals <= end)).sum())
    earlier = int(((arrivals > end - 2 * window) & (arrivals <= end - window)).sum())
    late = rng.gamma(latest + 0.5, 1.0 / INFLOW_DAYS, draws) * INFLOW_DAYS
    early = rng.gamma(earlier + 0.5, 1.0 / INFLOW_DAYS, draws) * INFLOW_DAYS
    # bursts: months whose newcomers vary more than a Poisson count would (campaigns) get a
    # Gamma multiplier of mean 1 and the measured extra variance
    burst = _burstiness(arrivals, end)
    month_of_day = np.searchsorted(edges, np.arange(int(np.ceil(edges[-1]))) + 0.5)
    if burst > 0:
        multiplier = rng.gamma(1 / burst, burst, (draws, months))[:, month_of_day]
    else:
        multiplier = np.ones((draws, len(month_of_day)))
    starts = np.concatenate([[0.0], edges[:-1]])
    # the trend believed as far as it is not noise; the draws' trends spread around it as the
    # normal posterior does (variance trust × noise): the drawn change's deviation × √trust
    trust = _trend_trust(latest, earlier, burst)
    believed = trust * (latest - earlier)  # the change over a span, as believed
    early = late - believed - np.sqrt(trust) * ((late - early) - (latest - earlier))
    # one arrival process for every month: each month counts the arrivals before its end
    counts = rng.poisson(_rates(late, early, np.arange(len(month_of_day))) * multiplier)
    day, who = np.nonzero(counts.T)  # by day: a month's arrivals are the first so many
    came_in = counts[who, day]
    who = np.repeat(who, came_in)
    times = np.repeat(day, came_in).astype("float64") + rng.random(int(came_in.sum()))
    by = np.cumsum(np.bincount(day, weights=came_in, minlength=len(month_of_day))).astype(int)
    for j in range(months):
        span = float(edges[j])
        found = _pool(arrivals, events, end, span)
        if found is None:
            return mean, simulated, False, _wins(new_draw, new_time)
        size, owner, lag, amount, pool = found
        flag = None if first is None else np.asarray(pool.isin(first), dtype=bool)
        days = np.arange(int(np.ceil(span)))  # arrival day after at (arriving in its middle)
        close = days[:, None] + 0.5 + lag[None, :]
        inside = (close > starts[j]) & (close <= span)
        per_day = (inside * amount[None, :]).sum(axis=1) / size
        mean[j] = float(_rates(latest, latest - believed, days)[0] @ per_day)
        came_in = by[len(days) - 1]
        simulated[:, j], (won_draw, won_time) = _brought(
            draws,
            who[:came_in],
            times[:came_in],
            owner,
            lag,
            amount,
            size,
            starts[j],
            span,
            rng,
            flag,
        )
        new_draw.append(won_draw)
        new_time.append(won_time)
    return mean, simulated, True, _wins(new_draw, new_time)


def _wins(draw: list[np.ndarray], time: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The pieces of (draw, time) joined."""
    if not draw:
        return np.zeros(0, dtype="int64"), np.zeros(0)
    return np.concatenate(draw).astype("int64"), np.concatenate(time)


def _pool(
    arrivals: pd.Series, events: pd.DataFrame, end: pd.Timestamp, span: float
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, pd.Index] | None:
    """The past newcomers standing for those of a month ending ``span`` days after ``end``:
    those that came during the :data:`YIELD_DAYS` days before ``span`` days before ``end``
    (all that came by then if fewer than :data:`MIN_POOL`; None if still fewer): how many,
    and of each event within ``span`` days of its newcomer's coming, whose (position in the
    pool), how many days after coming and how much; and the pool's units."""
    known = arrivals[arrivals <= end - pd.Timedelta(days=span)]
    recent = known[known > end - pd.Timedelta(days=span + YIELD_DAYS)]
    pool = recent if len(recent) >= MIN_POOL else known
    if len(pool) < MIN_POOL:
        return None
    came = pool.to_numpy(dtype="datetime64[ns]")
    unit = pd.Index(pool.index)
    mine = events[events["unit"].isin(unit)]
    owner = unit.get_indexer(mine["unit"])
    lag = (mine["time"].to_numpy(dtype="datetime64[ns]") - came[owner]) / np.timedelta64(1, "D")
    keep = (lag >= 0) & (lag <= span)
    amount = mine["amount"].to_numpy(dtype="float64")[keep]
    return len(pool), owner[keep], lag[keep], amount, unit


def _brought(
    draws: int,
    who: np.ndarray,
    times: np.ndarray,
    owner: np.ndarray,
    lag: np.ndarray,
    amount: np.ndarray,
    pool: int,
    start: float,
    end: float,
    rng: np.random.Generator,
    flag: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """What ``draws`` futures' arrivals bring within (``start``, ``end``] (days after the
    forecast), per draw. ``who``: the draw of each arrival, ``times``: when it came; it stands
    for a past newcomer picked at random from its draw's resample (with replacement) of the
    ``pool`` past newcomers and brings each of that one's amounts (``owner``, ``lag``,
    ``amount``: of whom, how many days after coming, how much) as many days after it came.

    Only what matters of the resamples is drawn. Of a draw's ``pool`` places, Binomial(pool,
    share) hold one of the past newcomers who brought something (share: how many of the pool
    did); an arrival picks one of those places with the chance of their share of the places,
    else it brings nothing; which of them it picks is uniform, and each place picked holds one
    of those past newcomers at random, the same for every arrival that picked it — as a whole
    resample would have given them.

    Also returns, for the arrivals standing for a past newcomer whose ``flag`` (per place in
    the pool) is set, the draw and time of their events within the window (one event each:
    deals)."""
    none = np.zeros(0, dtype="int64"), np.zeros(0)
    count = np.bincount(owner, minlength=pool)
    brought = np.flatnonzero(count)
    if not len(brought) or not len(who):
        return np.zeros(draws), none
    held = rng.binomial(pool, len(brought) / pool, draws)
    keep = rng.random(len(who)) * pool < held[who]
    who, times = who[keep], times[keep]
    offset = np.cumsum(held) - held
    place = offset[who] + rng.integers(0, held[who])
    first = np.empty(int(held.sum()), dtype="int64")  # an arrival that picked each place
    first[place] = np.arange(len(place))
    which = brought[rng.integers(0, len(brought), len(place))[first[place]]]
    if count.max() == 1:  # one amount each (a deal's win): looked up directly
        when = np.zeros(pool)
        when[owner] = lag
        worth = np.zeros(pool)
        worth[owner] = amount
        landing = times + when[which]
        hit = (landing > start) & (landing <= end)
        revenue = np.bincount(who[hit], weights=worth[which[hit]], minlength=draws)
        if flag is not None:
            hit &= flag[which]
            none = who[hit].astype("int64"), landing[hit]
        return revenue, none
    if np.all(lag == np.floor(lag)) and start == int(start) and end == int(end):
        # whole days (orders are dated): an arrival on day d (at d + u, 0 < u < 1) brings what
        # its past newcomer brought from start − d to end − d − 1 days after coming
        span = int(end) + 1  # lags 0 … end
        cells = np.bincount(
            owner * span + lag.astype("int64"), weights=amount, minlength=pool * span
        )
        upto = np.cumsum(cells.reshape(pool, span), axis=1)  # brought within so many days
        day = times.astype("int64")
        before = int(start) - 1 - day
        high = upto[which, int(end) - 1 - day]
        low = np.where(before >= 0, upto[which, np.maximum(before, 0)], 0.0)
        return np.bincount(who, weights=high - low, minlength=draws), none
    # each past newcomer's events by lag, after one another: newcomer k's lags are
    # k · width + lag, so one search finds an arrival's events within the window
    width = end + 2.0
    order = np.lexsort((lag, owner))
    keys = owner[order] * width + lag[order]
    total = np.concatenate([[0.0], np.cumsum(amount[order])])
    base = which * width
    low = np.searchsorted(keys, base + np.maximum(start - times, -1.0), side="right")
    high = np.searchsorted(keys, base + (end - times), side="right")
    return np.bincount(who, weights=total[high] - total[low], minlength=draws), none


def _burstiness(arrivals: pd.Series, end: pd.Timestamp) -> float:
    """The extra variance of the monthly count of newcomers over a Poisson count's, relative to
    the squared mean (a negative binomial's 1/k): (variance − mean) / mean² of the counts in the
    last :data:`BURST_MONTHS` 30-day spans after the first newcomer (the spans before it are no
    history, not months without newcomers), after their linear trend; 0 when they vary no more
    than a Poisson count or there are fewer than :data:`MIN_BURST_MONTHS` spans."""
    ages = (end - arrivals) / pd.Timedelta(days=30)
    ages = ages[ages >= 0]
    months = min(BURST_MONTHS, int(ages.max())) if len(ages) else 0
    if months < MIN_BURST_MONTHS:
        return 0.0
    ages = ages[ages < months]
    counts = np.bincount(ages.astype(int), minlength=months).astype("float64")
    mean = counts.mean()
    if mean <= 0:
        return 0.0
    index = np.arange(months)
    trend = np.polyval(np.polyfit(index, counts, 1), index)
    variance = float(np.sum((counts - trend) ** 2) / (months - 2))
    return max(variance - mean, 0.0) / mean**2


def _trend_trust(latest: int, earlier: int, burst: float) -> float:
    """How much of the change between the two spans' counts to follow: the share of it that is
    not noise, max(0, 1 − noise ÷ change²) (positive-part James–Stein shrinkage toward no
    trend), where the noise is the variance of the difference of two spans' counts of three
    months each, Poisson with bursts of extra variance ``burst``: latest + earlier +
    burst · (latest² + earlier²) ÷ 3."""
    change = float(latest - earlier) ** 2
    noise = latest + earlier + burst * (latest**2 + earlier**2) / 3
    return max(0.0, 1.0 - noise / change) if change > 0 else 0.0


def _rates(latest: ArrayLike, earlier: ArrayLike, days: np.ndarray) -> np.ndarray:
    """Expected new deals on each day after the forecast (one row per pair of counts): the
    latest span's daily rate plus the trend, within [0, twice the latest rate]."""
    late = np.atleast_1d(np.asarray(latest, dtype="float64"))[:, None] / INFLOW_DAYS
    early = np.atleast_1d(np.asarray(earlier, dtype="float64"))[:, None] / INFLOW_DAYS
    slope = (late - early) / INFLOW_DAYS  # per day
    rate = late + slope * (days[None, :] + 0.5 + INFLOW_DAYS / 2)
    return np.clip(rate, 0.0, 2 * late)


def _orders(
    orders: pd.DataFrame,
    at: date,
    edges: np.ndarray,
    draws: int,
    rng: np.random.Generator,
    won: tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Repeat orders of the customers who ordered by ``at`` (``orders``: those placed by
    then; BG/NBD × Gamma-Gamma), and the orders of customers not yet ordering
    (:func:`_new_customers`). With ``won`` (the won deals that brought new customers,
    :func:`_first_wins`, and the simulated wins of new customers: draw, day), those
    simulated: the customers that each draw's wins bring (:func:`_won_customers`) and the
    customers whose first order followed no win of theirs (:func:`_new_customers` of those
    alone)."""
    months = len(edges)
    nothing = np.zeros(months), np.zeros((draws, months))
    if orders.empty:
        return *nothing, None
    new_draws = None
    if won is not None:
        first_wins, wins = won
        new_mean = _new_customers(orders, at, edges, 0, rng)[0]  # the expectation alone
        new_draws = _won_customers(first_wins, orders, wins, at, edges, draws, rng)
        direct = orders[~orders["customer_id"].isin(first_wins["customer_id"])]
        if new_draws is not None and not direct.empty:
            new_draws = new_draws + _new_customers(direct, at, edges, draws, rng)[1]
    if new_draws is None:
        new_mean, new_draws = _new_customers(orders, at, edges, draws, rng)
    summary = customer_summary(orders, at, UNIT)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model = clv_value.fit(summary, UNIT)
            x, t_x, big_t = (
                summary[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T")
            )
            spend = gamma_gamma.expected_average_spend(
                model.spend, x, summary["monetary_value"].to_numpy()
            )
    except (SalesflowError, ValueError, FloatingPointError) as error:
        note = _("repeat orders: the models could not be fitted ({error}); counted as none")
        return *nothing, note.format(error=error)
    per_day = 1.0 / UNITS[UNIT]
    cumulative = np.array(
        [bgnbd.expected_purchases(model.purchases, e * per_day, x, t_x, big_t) for e in edges]
    )
    purchases = np.diff(np.vstack([np.zeros(len(x)), cumulative]), axis=0)
    mean = (purchases * spend).sum(axis=1) + new_mean
    simulated = _simulate_orders(model, summary, edges * per_day, draws, rng) + new_draws
    return mean, simulated, None


def _simulate_orders(
    model: clv_value.CustomerValueModel,
    summary: pd.DataFrame,
    edges: np.ndarray,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``draws`` futures of the repeat-order revenue per month (see the module). Each future
    has its own BG/NBD and Gamma-Gamma parameters, drawn from the fits' Laplace approximation
    (:mod:`salesflow_xl.core.clv.uncertainty`): how well the order history pins the models
    down moves every customer of a future together."""
    x, t_x, big_t, z = (
        summary[c].to_numpy(dtype="float64")
        for c in ("frequency", "recency", "T", "monetary_value")
    )
    bg, gg = model.purchases, model.spend
    r, alpha, a, b = uncertainty.draws(
        np.log([bg.r, bg.alpha, bg.a, bg.b]),
        bgnbd.covariance(bg, x, t_x, big_t),
        draws,
        rng,
        bgnbd.LIMIT,
    ).T
    p, q, v = uncertainty.draws(
        np.log([gg.p, gg.q, gg.v]), gamma_gamma.covariance(gg, x, z), draws, rng, bgnbd.LIMIT
    ).T
    # only the (draw, customer) pairs alive are followed: their draw and customer, drawn alive
    # with P(alive), then their rate, dropout chance and spend from their posteriors
    alive = bgnbd.alive_chance(r[:, None], alpha[:, None], a[:, None], b[:, None], x, t_x, big_t)
    draw, customer = np.nonzero(rng.random((draws, len(x))) < alive)
    x, big_t, z = x[customer], big_t[customer], z[customer]
    rate = rng.gamma(r[draw] + x, 1.0 / (alpha[draw] + big_t))
    dropout = rng.beta(a[draw], b[draw] + x)
    shape = p[draw]
    nu = rng.gamma(shape * x + q[draw], 1.0 / (v[draw] + x * np.where(x > 0, z, 0.0)))
    # buying at the rate, a customer makes Poisson(rate · length) purchases in a month while
    # alive, and drops out after the K-th purchase, K ~ Geometric(dropout); the n purchases of
    # a month are worth Gamma(n · p, ν) together
    left = rng.geometric(np.clip(dropout, 1e-12, 1.0))
    scale = 1.0 / np.maximum(nu, 1e-12)
    revenue = np.zeros((draws, len(edges)))
    going = np.arange(len(draw))
    for month, length in enumerate(np.diff(edges, prepend=0.0)):
        bought = np.minimum(rng.poisson(rate[going] * length), left[going])
        left[going] -= bought
        some = going[bought > 0]
        worth = rng.gamma(shape[some] * bought[bought > 0], scale[some])
        revenue[:, month] = np.bincount(draw[some], weights=worth, minlength=draws)
        going = going[left[going] > 0]
    return revenue
