"""Detectors: how often a key has been this surprised before (its own distribution of surprises).

A count's surprise is ``u = -log10 p`` of its negative-binomial tail. Real
mention counts are burstier than any negative binomial with one dispersion:
reposting cascades and busy minutes give tail p-values of 1e-6 every few days.
So each key keeps the distribution of its past surprises, a histogram that
forgets with a half-life, mixed with a prior (the surprises of a well-fitting
model, P(U >= u) = 10**-u). A new surprise is then judged by how often
surprises at least as large were seen, with an exponential tail beyond the
1% quantile for values larger than any seen. The result is never more
alarming than the negative binomial alone.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from streams.plain import plain

#: Bin edges in u = -log10 p; the last bin is open.
EDGES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0,
         20.0, 25.0, 30.0, 40.0, 50.0, 70.0, 100.0, 150.0)  # fmt: skip
#: Where the mass of each bin sits, for mean excesses: its mean if surprises fall off as the
#: plain model's do within it (P(U >= u) = 10**-u), not its middle.
_RATE = math.log(10)
MIDS = (
    *(a + 1 / _RATE - (b - a) / math.expm1(_RATE * (b - a)) for a, b in itertools.pairwise(EDGES)),
    EDGES[-1] + 1 / _RATE,
)
#: The prior's share of each bin: P(a <= U < b) when P(U >= u) = 10**-u.
PRIOR = (*(10**-a - 10**-b for a, b in itertools.pairwise(EDGES)), 10 ** -EDGES[-1])
#: The tail beyond the data is anchored at this upper quantile of the surprises (where a
#: key's bursts, not its bulk, set the slope).
TAIL_Q = 0.01
#: Weights are rescaled when the newest one passes this (exact forgetting in O(1)).
RESCALE_AT = 1e6


def bin_of(u: float) -> int:
    return max(bisect.bisect_right(EDGES, u) - 1, 0)


@dataclass
class SurpriseHistory:
    """The forgetting histogram of one key's surprises at one scale."""

    halflife: float  # observations
    prior: float  # weight of the prior, in observations
    hist: list[float] = field(default_factory=lambda: [0.0] * len(EDGES))
    weight: float = 1.0  # weight of the newest observation
    total: float = 0.0

    @property
    def seen(self) -> float:
        """Observations remembered (the forgetting-weighted count)."""
        return self.total / self.weight

    def learn(self, u: float) -> None:
        self.weight *= 2.0 ** (1.0 / self.halflife)
        self.hist[bin_of(max(u, 0.0))] += self.weight
        self.total += self.weight
        if self.weight > RESCALE_AT:  # exact forgetting in O(1) per observation
            self.hist = [h / self.weight for h in self.hist]
            self.total /= self.weight
            self.weight = 1.0

    def _masses(self) -> list[float]:
        """Each bin's share of the prior plus the data (sums to 1)."""
        seen = self.seen
        norm = self.prior + seen
        return [
            (self.prior * p + h / self.weight) / norm for p, h in zip(PRIOR, self.hist, strict=True)
        ]

    def survival(self, u: float) -> float:
        """P(U >= u) by this key's history: the histogram, then an exponential tail."""
        masses = self._masses()
        b = bin_of(u)
        above = sum(masses[b + 1 :])  # P(U >= the bin's upper edge)
        at_lower = above + masses[b]  # P(U >= its lower edge)
        if b + 1 == len(EDGES):
            observed = at_lower * min(1.0, EDGES[b] / u)
        elif above > 0:  # geometric within the bin: exact for an exponential tail
            frac = (u - EDGES[b]) / (EDGES[b + 1] - EDGES[b])
            observed = at_lower * (above / at_lower) ** frac
        else:
            observed = masses[b] * (EDGES[b + 1] - u) / (EDGES[b + 1] - EDGES[b])
        return max(observed, self._tail(masses, u))

    def _tail(self, masses: list[float], u: float) -> float:
        """q * exp(-(u - t) / e): t the upper TAIL_Q quantile, e the mean excess above it."""
        above, moment = 0.0, 0.0  # mass above the bin, and its sum of u
        for b in range(len(EDGES) - 1, -1, -1):
            lo = EDGES[b]
            hi = EDGES[b + 1] if b + 1 < len(EDGES) else 2 * lo
            if above + masses[b] >= TAIL_Q:
                part = TAIL_Q - above
                t = hi - part / masses[b] * (hi - lo)
                break
            above += masses[b]
            moment += masses[b] * MIDS[b]
        else:  # unreachable: the masses sum to 1
            return TAIL_Q
        if u <= t:
            return TAIL_Q
        width = hi - t  # the part of the bin above t, with the bins' exponential shape
        inside = 1 / _RATE - width / math.expm1(_RATE * width) if width > 0 else 0.0
        excess = moment - above * t + part * inside
        mean_excess = max(excess / TAIL_Q, 1.0 / _RATE)
        return TAIL_Q * math.exp(-(u - t) / mean_excess)

    def to_state(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SurpriseHistory:
        return cls(**state)
