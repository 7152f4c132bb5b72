"""The true win rates of each demo business: what its owner would learn from enough history, as
against the stage probabilities the preset configures (the owner's guesses,
:mod:`salesflow_xl.core.presets`).

The demo generator (:mod:`salesflow_xl.core.demo`) plays each deal through the chain its
business describes (:mod:`salesflow_xl.core.demo_businesses`); this module solves that chain
exactly. It only reads the presets and the generator's constants; the data stay as they are.

Funnel steps: the open stages in order are steps 1..n, the won stage is step n + 1, the lost
stage step 0. A deal *reached* a stage at step k when the furthest step it ever was in (the
largest step of a To stage in its stage log) is at least k: a deal that skipped over the stage,
and every won deal, reached it. The true win rate of the stage is P(won | reached step k), over
the demo's mix of deals and ignoring time (as if no deal were still open at the as-of date).

The truth of each preset next to its configured probability (``TRUE_WIN_RATES`` holds the
numbers; a test holds them equal to :func:`true_win_rates`). Every stage's truth is above the
owner's guess, by 0.07 to 0.30::

    preset     open stage         configured  true
    b2b        Lead acquisition   0.10        0.3968
               Nurturing          0.30        0.5306
               Negotiation        0.60        0.7080
    services   Qualified lead     0.10        0.2725
               Discovery          0.20        0.3600
               Proposal sent      0.35        0.4655
               Negotiation        0.60        0.6746
               Contract sent      0.85        0.9293
    trade      Enquiry            0.10        0.2016
               Needs confirmed    0.20        0.2922
               Quotation sent     0.30        0.3797
               Sample sent        0.50        0.6242
               Price negotiation  0.70        0.8302
    ecommerce  First contact      0.10        0.2633
               Chat enquiry       0.20        0.3549
               In cart            0.30        0.4804
               Pending payment    0.60        0.8407

Layer: core.
"""

from __future__ import annotations

from salesflow_xl.core import demo, presets
from salesflow_xl.core.demo_businesses import BUSINESSES, DemoBusiness
from salesflow_xl.core.errors import InvalidArgumentError

#: Open stage (English name) → true win rate, per preset; rounded to 4 places from
#: :func:`true_win_rates`.
TRUE_WIN_RATES: dict[str, dict[str, float]] = {
    "b2b": {
        "Lead acquisition": 0.3968,
        "Nurturing": 0.5306,
        "Negotiation": 0.7080,
    },
    "services": {
        "Qualified lead": 0.2725,
        "Discovery": 0.3600,
        "Proposal sent": 0.4655,
        "Negotiation": 0.6746,
        "Contract sent": 0.9293,
    },
    "trade": {
        "Enquiry": 0.2016,
        "Needs confirmed": 0.2922,
        "Quotation sent": 0.3797,
        "Sample sent": 0.6242,
        "Price negotiation": 0.8302,
    },
    "ecommerce": {
        "First contact": 0.2633,
        "Chat enquiry": 0.3549,
        "In cart": 0.4804,
        "Pending payment": 0.8407,
    },
}

#: A state of the chain: (step, went back already); steps as in the module docstring.
_State = tuple[int, bool]


def deal_channel_mix(business: DemoBusiness) -> dict[str, float]:
    """Share of deals per channel, as the generator draws them.

    A customer's channel is drawn by the channels' shares; on a channel with campaigns the
    customer came through one with chance ``demo.CAMPAIGN_REACH`` and otherwise is counted on
    one of the ``organic_channels``, each equally likely. Every customer has a first deal and
    repeat deals go to customers drawn uniformly, each deal on its customer's channel, so the
    deals' mix is the customers' mix. Shares sum to 1."""
    total = sum(share for share, _lift in business.channels.values())
    paid = {channel for _name, channel, *_rest in business.campaigns}
    mix = dict.fromkeys(business.channels, 0.0)
    for channel, (share, _lift) in business.channels.items():
        weight = share / total
        if channel in paid:
            mix[channel] += weight * demo.CAMPAIGN_REACH
            for organic in business.organic_channels:
                away = weight * (1.0 - demo.CAMPAIGN_REACH) / len(business.organic_channels)
                mix[organic] = mix.get(organic, 0.0) + away
        else:
            mix[channel] += weight
    return mix


def true_win_rates(preset: str) -> dict[str, float]:
    """The true win rate of each open stage of ``preset``'s demo business, by English name.

    The chain, for a deal on a channel with extra chance of winning L: its states are
    (step i, went back) for the open steps i = 1..n, absorbing in won (step n + 1) and lost.
    In open stage i with behaviour (advance a, skip s, lose, back b) the generator draws
    u ~ U[0, 1) and compares it with the cumulative bounds b' = b (0 once the deal went back),
    b' + a + λ and b' + a + λ + s, where λ = L at the last open stage and L/2 elsewhere: it
    goes back one step (and has then gone back), advances one step, skips to step i + 2, or
    else is lost. So P(back) = b', P(advance) = a + λ, P(skip) = s and P(lost) = the rest
    (each bound cut to [0, 1]: a share over 1 leaves no room for the later outcomes). Going
    back only once makes the chain acyclic: each state is solved once, from the later ones.

    With start distribution π (step 2 with chance ``second_start``, else step 1), for the set
    A_k of states at step ≥ k (with won):

    - f_k(y) = P(the first state of A_k the deal enters is y), y ∈ A_k (first passage);
    - w(y) = P(absorbed in won | in y) (absorption);
    - per channel c: R_c(k) = Σ_y f_k(y) and W_c(k) = Σ_y f_k(y) w(y), the chances of reaching
      step k and of reaching it and winning;
    - over the deals' channel mix m (:func:`deal_channel_mix`):

          true win rate(k) = Σ_c m_c W_c(k) / Σ_c m_c R_c(k).

    Every won deal reached every step, so W_c(k) = P_c(won) and the rate is also
    P(won) / P(reached step k).

    Raises InvalidArgumentError for an unknown preset."""
    kind = presets.preset(preset)
    business = BUSINESSES[kind.key]
    stages = [stage.name for stage in kind.pipeline.open_stages]
    return _win_rates(business, stages, deal_channel_mix(business))


def _win_rates(
    business: DemoBusiness, stages: list[str], mix: dict[str, float]
) -> dict[str, float]:
    """Σ_c m_c W_c(k) / Σ_c m_c R_c(k) of :func:`true_win_rates` for the channel mix ``mix``."""
    n = len(stages)
    reached = [0.0] * (n + 1)
    won = [0.0] * (n + 1)
    for channel, weight in mix.items():
        moves = _moves(business, stages, business.channels.get(channel, (0.0, 0.0))[1])
        start = {(1, False): 1.0 - business.second_start, (2, False): business.second_start}
        wins = _absorption(moves, n)
        for k in range(1, n + 1):
            entry = _first_passage(moves, start, k, n)
            reached[k] += weight * sum(entry.values())
            won[k] += weight * sum(p * wins[state] for state, p in entry.items())
    return {stages[k - 1]: won[k] / reached[k] for k in range(1, n + 1)}


def _moves(
    business: DemoBusiness, stages: list[str], lift: float
) -> dict[_State, dict[_State | str, float]]:
    """Open state → {next state, or "won" / "lost": chance} for a channel's ``lift``."""
    n = len(stages)
    result: dict[_State, dict[_State | str, float]] = {}
    for i, name in enumerate(stages, start=1):
        behaviour = business.stages[name]
        bias = lift if i == n else lift / 2
        for went_back in (False, True):
            back = 0.0 if went_back else behaviour.back
            if back > 0 and i == 1:
                raise InvalidArgumentError("back", back, "0 at the first open stage")
            if behaviour.skip > 0 and i + 2 > n + 1:
                raise InvalidArgumentError("skip", behaviour.skip, "0 at the last open stage")
            bounds = [back, back + behaviour.advance + bias]
            bounds.append(bounds[-1] + behaviour.skip)
            targets: list[_State | str] = [
                (i - 1, True),
                (i + 1, went_back) if i < n else "won",
                (i + 2, went_back) if i + 2 <= n else "won",
            ]
            row: dict[_State | str, float] = {}
            below = 0.0
            for bound, target in zip(bounds, targets, strict=True):
                top = min(max(bound, 0.0), 1.0)
                if top > below:
                    row[target] = row.get(target, 0.0) + top - below
                    below = top
            if below < 1.0:
                row["lost"] = 1.0 - below
            result[(i, went_back)] = row
    return result


def _order(n: int) -> list[_State]:
    """Open states so that each comes after every state it can move to (the chain is acyclic:
    forward moves raise the step, the one move back sets ``went back``)."""
    return [(i, True) for i in range(n, 0, -1)] + [(i, False) for i in range(n, 0, -1)]


def _absorption(
    moves: dict[_State, dict[_State | str, float]], n: int
) -> dict[_State | str, float]:
    """State → chance of being absorbed in won."""
    wins: dict[_State | str, float] = {"won": 1.0, "lost": 0.0}
    for state in _order(n):
        wins[state] = sum(p * wins[target] for target, p in moves[state].items())
    return wins


def _first_passage(
    moves: dict[_State, dict[_State | str, float]],
    start: dict[_State, float],
    k: int,
    n: int,
) -> dict[_State | str, float]:
    """Chance that a deal starting by ``start`` first enters the states at step ≥ ``k`` (and
    won) in each of them."""

    def inside(state: _State | str) -> bool:
        return state == "won" or (state != "lost" and state[0] >= k)

    hits: dict[_State | str, dict[_State | str, float]] = {"lost": {}}
    for state in _order(n):
        if inside(state):
            hits[state] = {state: 1.0}
            continue
        total: dict[_State | str, float] = {}
        for target, p in moves[state].items():
            for entry, q in ({target: 1.0} if inside(target) else hits[target]).items():
                total[entry] = total.get(entry, 0.0) + p * q
        hits[state] = total
    result: dict[_State | str, float] = {}
    for state, p in start.items():
        for entry, q in ({state: 1.0} if inside(state) else hits[state]).items():
            result[entry] = result.get(entry, 0.0) + p * q
    return result
