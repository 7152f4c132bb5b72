"""When a deal closes, learned with the open deals counted: the cumulative incidence of winning.

Closed deals alone make sales cycles look short: the long ones are still open. So the time from
first entering a stage to the deal's end is estimated the way survival analysis does with
competing events (Aalen–Johansen): every deal that was in the stage counts, a closed one with
its outcome (won or lost) after its duration, an open one as *censored* at its time so far. At
each time t with deals ending, of the n deals still under way:

    S(t) = S(t−) · (1 − (won(t) + lost(t)) / n)          (no end yet)
    F(t) = F(t−) + S(t−) · won(t) / n                    (won by t)

A deal that has been under way for a days without ending is won in (a, b] with probability
(F(b) − F(a)) / S(a), and at all with (F(∞) − F(a)) / S(a).

That mixes, at a days, the deals still in the stage with those that moved on (nearer their
end). A deal still in its stage after a days is forecast from the deals that were still in it
after a days, counted from then (:func:`landmark`, "landmarking": van Houwelingen 2007): with
F and S of that estimate, it is won in (a, a + d] with probability F(d).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Incidence:
    """The estimate: at each time an event happened (days, ascending), F and S just after."""

    times: np.ndarray
    won: np.ndarray
    going: np.ndarray
    #: every deal's days under way (sorted), ended or not
    durations: np.ndarray
    #: how many ended
    closed: int

    def at(self, days: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """(F, S) at ``days`` (none ended yet: F = 0, S = 1)."""
        days = np.asarray(days, dtype="float64")
        if not len(self.times):
            return np.zeros_like(days), np.ones_like(days)
        index = np.searchsorted(self.times, days, side="right") - 1
        won = np.where(index >= 0, self.won[np.maximum(index, 0)], 0.0)
        going = np.where(index >= 0, self.going[np.maximum(index, 0)], 1.0)
        return won, going

    def ended(self) -> int:
        """How many of the deals ended (won or lost)."""
        return self.closed

    def at_risk(self, days: float) -> int:
        """How many deals were still under way after ``days`` days (ended later or open then)."""
        return int(len(self.durations) - np.searchsorted(self.durations, days, side="right"))


def incidence(durations: np.ndarray, outcomes: np.ndarray) -> Incidence:
    """The estimate from each deal's days under way and outcome ("won", "lost", or "open" for
    one still under way)."""
    durations = np.asarray(durations, dtype="float64")
    outcomes = np.asarray(outcomes)
    if np.any(durations[1:] < durations[:-1]):  # sorted already: a landmark's suffix of them
        order = np.argsort(durations, kind="stable")
        durations, outcomes = durations[order], outcomes[order]
    if not len(durations):
        return Incidence(np.zeros(0), np.zeros(0), np.zeros(0), durations, 0)
    first = np.flatnonzero(np.concatenate([[True], durations[1:] != durations[:-1]]))
    times = durations[first]
    wins = np.add.reduceat((outcomes == "won").astype("float64"), first)
    ends = wins + np.add.reduceat((outcomes == "lost").astype("float64"), first)
    under_way = len(durations) - first  # at each time, the deals not ended before it
    going = np.cumprod(1 - ends / under_way)
    before = np.concatenate([[1.0], going[:-1]])
    won = np.cumsum(before * wins / under_way)
    some = ends > 0
    closed = int(np.sum(outcomes != "open"))
    return Incidence(times[some], won[some], going[some], durations, closed)


def landmark(
    stays: np.ndarray, durations: np.ndarray, outcomes: np.ndarray, elapsed: float
) -> Incidence:
    """The estimate for a deal that has been in its stage for ``elapsed`` days, from the time
    on: over the deals that stayed in the stage longer (``stays``: the days each stayed in it
    before it first left it, or has so far), each from ``elapsed`` days after entering it
    (``durations``, ``outcomes``: as :func:`incidence` takes them)."""
    still = np.asarray(stays, dtype="float64") > elapsed
    return incidence(np.asarray(durations, dtype="float64")[still] - elapsed, outcomes[still])


def by_duration(
    stays: np.ndarray, durations: np.ndarray, outcomes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three arrays :func:`landmark` takes, ordered by duration (stably), so that every
    landmark of them is estimated without sorting again — once per open deal adds up."""
    order = np.argsort(np.asarray(durations, dtype="float64"), kind="stable")
    kinds = np.asarray(outcomes).astype(str)  # fixed-width text compares faster than objects
    return np.asarray(stays)[order], np.asarray(durations)[order], kinds[order]
