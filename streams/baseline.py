"""Detectors: a count baseline that knows the daily and weekly rhythm, and count-tail statistics.

The baseline is multiplicative Holt-Winters without trend term: a level
(EWMA of deseasonalised counts, so it follows a slow trend) times an
hour-of-day factor times a day-of-week factor, each learned online. Counts
are overdispersed (bursty), so it also tracks the negative-binomial
dispersion ``phi`` (variance = mu + phi * mu**2) that the tails use.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

#: Factors never drop below this, so a quiet hour never makes any count look infinite.
MIN_FACTOR = 0.05
#: Largest dispersion believed; beyond it counts are noise whatever the baseline says.
MAX_PHI = 2.0


def _alpha(halflife_obs: float) -> float:
    return 1.0 - 0.5 ** (1.0 / max(halflife_obs, 1e-9))


@dataclass
class SeasonalBaseline:
    """Expected count per window at a fixed step, learned online from event-time windows."""

    step_s: float
    level_halflife_s: float = 6 * 3600.0
    daily_halflife_days: float = 3.0
    weekly_halflife_weeks: float = 2.0
    phi_halflife_s: float = 2 * 86400.0
    level: float = 0.0
    daily: list[float] = field(default_factory=lambda: [1.0] * 24)
    weekly: list[float] = field(default_factory=lambda: [1.0] * 7)
    phi: float = 0.1
    n: int = 0
    daily_n: list[int] = field(default_factory=lambda: [0] * 24)
    weekly_n: list[int] = field(default_factory=lambda: [0] * 7)

    def _slots(self, ts: float) -> tuple[int, int]:
        moment = datetime.fromtimestamp(ts, tz=UTC)
        return moment.hour, moment.weekday()

    def season(self, ts: float) -> float:
        hour, day = self._slots(ts)
        return self.daily[hour] * self.weekly[day]

    def expected(self, ts: float) -> float:
        """The count expected in the window starting at ``ts`` (0 before any history)."""
        return self.level * self.season(ts)

    def update(self, ts: float, count: float) -> None:
        """Learn from the count of the window starting at ``ts``."""
        hour, day = self._slots(ts)
        self.n += 1
        mu = self.expected(ts)
        if self.n > 1 and mu >= 1.0:
            excess = ((count - mu) ** 2 - mu) / (mu * mu)
            a_phi = max(_alpha(self.phi_halflife_s / self.step_s), 1.0 / self.n)
            self.phi = min(MAX_PHI, max(0.0, self.phi + a_phi * (min(excess, 4.0) - self.phi)))
        deseasonalised = count / max(self.season(ts), MIN_FACTOR)
        a_level = max(_alpha(self.level_halflife_s / self.step_s), 1.0 / self.n)
        self.level += a_level * (deseasonalised - self.level)
        if self.level <= 0:
            return
        per_day = max(3600.0 / self.step_s, 1.0)  # observations of one hour slot per day
        self.daily_n[hour] += 1
        a_day = max(_alpha(self.daily_halflife_days * per_day), 1.0 / (self.daily_n[hour] + 1))
        ratio = count / (self.level * self.weekly[day])
        self.daily[hour] = max(MIN_FACTOR, self.daily[hour] + a_day * (ratio - self.daily[hour]))
        per_week = max(86400.0 / self.step_s, 1.0)
        self.weekly_n[day] += 1
        a_week = max(_alpha(self.weekly_halflife_weeks * per_week), 1.0 / (self.weekly_n[day] + 1))
        ratio = count / (self.level * self.daily[hour])
        self.weekly[day] = max(MIN_FACTOR, self.weekly[day] + a_week * (ratio - self.weekly[day]))
        _normalise(self.daily)
        _normalise(self.weekly)

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SeasonalBaseline:
        return cls(**state)


def _normalise(factors: list[float]) -> None:
    mean = sum(factors) / len(factors)
    if mean > 0:
        for i, value in enumerate(factors):
            factors[i] = max(MIN_FACTOR, value / mean)


def upper_tail(x: float, mu: float, phi: float) -> float:
    """P(X >= x) for a negative binomial with mean ``mu`` and dispersion ``phi`` (Poisson at 0).

    Exact sums for small counts; a normal approximation with continuity
    correction where the sum would be long.
    """
    if x <= 0:
        return 1.0
    mu = max(mu, 1e-6)
    k_max = math.ceil(x) - 1  # P(X >= x) = 1 - P(X <= k_max)
    if k_max > 400:
        sd = math.sqrt(mu + phi * mu * mu)
        return 0.5 * math.erfc((x - 0.5 - mu) / (sd * math.sqrt(2)))
    return max(0.0, 1.0 - _cdf(k_max, mu, phi))


def lower_tail(x: float, mu: float, phi: float) -> float:
    """P(X <= x) for the same distribution."""
    mu = max(mu, 1e-6)
    k = math.floor(x)
    if k < 0:
        return 0.0
    if k > 400:
        sd = math.sqrt(mu + phi * mu * mu)
        return 0.5 * math.erfc((mu - x - 0.5) / (sd * math.sqrt(2)))
    return min(1.0, _cdf(k, mu, phi))


def _cdf(k: int, mu: float, phi: float) -> float:
    if phi < 1e-6:  # Poisson
        log_p = -mu
        total = math.exp(log_p)
        for i in range(1, k + 1):
            log_p += math.log(mu) - math.log(i)
            total += math.exp(log_p)
        return total
    r = 1.0 / phi
    q = mu / (mu + r)
    log_p = r * math.log(r / (mu + r))
    total = math.exp(log_p)
    for i in range(k):
        log_p += math.log((i + r) / (i + 1)) + math.log(q)
        total += math.exp(log_p)
    return total


def tail_score(p_value: float, scale: float = 10.0) -> float:
    """A p-value as a 0..1 score on a log scale: 1e-``scale`` or smaller is 1."""
    if p_value <= 0:
        return 1.0
    return min(1.0, max(0.0, -math.log10(p_value) / scale))
