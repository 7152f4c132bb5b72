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
        """(F, S) at ``days``."""
        index = np.searchsorted(self.times, np.asarray(days, dtype="float64"), side="right") - 1
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
    order = np.argsort(durations, kind="stable")
    durations, outcomes = durations[order], outcomes[order]
    times, won_curve, going_curve = [], [], []
    going, won = 1.0, 0.0
    at_risk = len(durations)
    index = 0
    while index < len(durations):
        t = durations[index]
        same = index
        while same < len(durations) and durations[same] == t:
            same += 1
        block = outcomes[index:same]
        wins = int(np.sum(block == "won"))
        losses = int(np.sum(block == "lost"))
        if wins + losses and at_risk:
            won += going * wins / at_risk
            going *= 1 - (wins + losses) / at_risk
            times.append(t)
            won_curve.append(won)
            going_curve.append(going)
        at_risk -= same - index
        index = same
    closed = int(np.sum(outcomes != "open"))
    return Incidence(
        np.asarray(times), np.asarray(won_curve), np.asarray(going_curve), durations, closed
    )
