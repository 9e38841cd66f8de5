"""Detectors: a count baseline that knows the daily and weekly rhythm, and count-tail statistics.

The baseline is multiplicative Holt-Winters without trend term: a level
(EWMA of deseasonalised counts, so it follows a slow trend) times an
hour-of-day factor times a day-of-week factor, each learned online. Hours and
weekdays are those of a time zone (the display zone, Asia/Shanghai, by
default), so a local day is one day. The daily factors are learned against
the level, the weekly ones against a slow level (half-life a week) that a
weekend cannot pull along. Counts are overdispersed (bursty): ``phi`` is the
negative-binomial dispersion of the bulk of the counts (variance =
mu + phi * mu**2), learned from winsorised residuals so one burst does not
inflate it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from scipy.special import betainc, gammainc, gammaincc

from streams.plain import plain

#: Hour slots and weekdays are counted in this zone unless told otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Factors never drop below this, so a quiet hour never makes any count look infinite.
MIN_FACTOR = 0.05
#: Largest dispersion believed; beyond it counts are noise whatever the baseline says.
MAX_PHI = 2.0
#: Residuals beyond this many standard deviations count as this many when dispersion is learned.
WINSOR_SD = 3.0
#: E[min(z**2, 9)] for a standard normal z: what a winsorised squared residual averages.
WINSOR_MEAN = 0.9707
#: A rhythm a key starts with (its parent's) weighs as much as this many counts seen in each hour
#: slot: a key with a few items an hour keeps it until its own counts say otherwise, where a busy
#: key learns its own rhythm on its first day.
PRIOR_COUNTS = 8.0
#: A flat start (no rhythm yet) weighs as this much history of each hour slot: one window of a
#: five-minute key, a twelfth of an hourly key's window (an hourly key's first day says more)
PRIOR_SECONDS = 300.0


def alpha(halflife_obs: float) -> float:
    """EWMA weight of the newest observation for a half-life counted in observations."""
    return float(1.0 - 0.5 ** (1.0 / max(halflife_obs, 1e-9)))


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_slots(ts: float, tz: str) -> tuple[int, int]:
    """(hour of day, weekday) of the epoch second ``ts`` in the zone ``tz``."""
    moment = datetime.fromtimestamp(ts, tz=zone(tz))
    return moment.hour, moment.weekday()


def local_time(ts: float, tz: str) -> tuple[float, int]:
    """(hours since local midnight, weekday) of the epoch second ``ts`` in the zone ``tz``."""
    moment = datetime.fromtimestamp(ts, tz=zone(tz))
    return moment.hour + moment.minute / 60 + moment.second / 3600, moment.weekday()


def learn_phi(phi: float, count: float, mu: float, weight: float) -> float:
    """One winsorised moment step of the dispersion towards what ``count`` says.

    The squared residual is capped at WINSOR_SD standard deviations, so a
    burst moves phi no more than an ordinary bad window; ``weight`` is the
    step (0 learns nothing).
    """
    var = mu + phi * mu * mu
    sq = min((count - mu) ** 2, WINSOR_SD**2 * var) / WINSOR_MEAN
    seen = (sq - mu) / (mu * mu)
    return min(MAX_PHI, max(0.0, phi + weight * (seen - phi)))


@dataclass
class SeasonalBaseline:
    """Expected count per window at a fixed step, learned online from event-time windows."""

    step_s: float
    level_halflife_s: float = 6 * 3600.0
    daily_halflife_days: float = 3.0
    weekly_halflife_weeks: float = 2.0
    phi_halflife_s: float = 2 * 86400.0
    tz: str = DEFAULT_TIMEZONE
    level: float = 0.0  # counts per window at season 1: level_sum / season_sum
    level_sum: float = 0.0  # EWMA of counts
    season_sum: float = 0.0  # EWMA of the seasonal factors of the same windows
    slow: float = 0.0  # level with a week's half-life: what the weekly factors are learned against
    slow_sum: float = 0.0
    slow_season_sum: float = 0.0
    # longer memories for longer sums (a slow wave must not lift what it is measured against)
    day_sum: float = 0.0  # half-life a day: hours-long sums
    day_season_sum: float = 0.0
    days_sum: float = 0.0  # half-life four days: the day's sum
    days_season_sum: float = 0.0
    daily: list[float] = field(default_factory=lambda: [1.0] * 24)
    weekly: list[float] = field(default_factory=lambda: [1.0] * 7)
    phi: float = 0.1
    n: int = 0
    daily_n: list[float] = field(default_factory=lambda: [0.0] * 24)
    weekly_n: list[int] = field(default_factory=lambda: [0] * 7)
    #: counts the slot would have held at factor 1 (its exposure), the starting factor's included
    daily_e: list[float] = field(default_factory=lambda: [0.0] * 24)
    #: what each slot has seen, each window weighed by the trust in the level it was learned
    #: against (a day of history or more: full), the flat start included
    daily_w: list[float] = field(default_factory=lambda: [0.0] * 24)
    #: weigh windows of the first day by that trust: an hourly key sees one window of each
    #: slot a day, so its first day would otherwise make its rhythm (silence asks for this;
    #: the five-minute spike keys see twelve a day and keep their calibration, bench/spikes.py)
    trust_first_day: bool = False

    def start_rhythm(self, daily: list[float], weekly: list[float]) -> None:
        """Take a known rhythm (its parent's) for a young key, instead of a flat day.

        A key with a few items a day cannot learn which hours are busy in a few
        days; its customers keep the hours of all customers until its own counts
        outweigh the start (PRIOR_COUNTS a slot). A key seen before its parent
        had a rhythm takes it once the parent has one.
        """
        self.daily, self.weekly = list(daily), list(weekly)
        self.daily_e = [PRIOR_COUNTS] * 24

    def may_start_rhythm(self, max_age_s: float = 2 * 86400.0) -> bool:
        """Whether a parent's rhythm may still be taken: never taken, and the key is young."""
        return not any(self.daily_e) and self.n * self.step_s < max_age_s

    def _place(self, ts: float) -> tuple[int, int, float, int]:
        """(slot before, slot after, weight of the one after, weekday) of the window at ``ts``.

        A slot's factor belongs to the middle of its hour; between two middles
        the factor is interpolated, so a steep hour is not one step.
        """
        hours, day = local_time(ts + self.step_s / 2, self.tz)
        x = hours - 0.5
        before = math.floor(x)
        return before % 24, (before + 1) % 24, x - before, day

    def _daily(self, before: int, after: int, frac: float) -> float:
        return (1 - frac) * self.daily[before] + frac * self.daily[after]

    def season(self, ts: float) -> float:
        before, after, frac, day = self._place(ts)
        return self._daily(before, after, frac) * self.weekly[day]

    def days_seen(self, ts: float) -> float:
        """Days of history behind the hour factor of the window at ``ts`` (the fewer side)."""
        before, after, frac, _ = self._place(ts)
        per_day = max(3600.0 / self.step_s, 1.0)
        seen = [self.daily_n[slot] for slot, share in ((before, 1 - frac), (after, frac)) if share]
        return min(seen) / per_day

    def expected(self, ts: float) -> float:
        """The count expected in the window starting at ``ts`` (0 before any history)."""
        return self.level * self.season(ts)

    def level_over(self, span_s: float) -> float:
        """The level to expect a sum over ``span_s`` seconds with: the longer, the slower.

        A sum of up to an hour uses the level (half-life ``level_halflife_s``),
        of up to six hours a level with a day's half-life, longer ones four days'.
        """
        if span_s <= 3600.0:
            return self.level
        if span_s <= 6 * 3600.0:
            return self.day_sum / max(self.day_season_sum, MIN_FACTOR)
        return self.days_sum / max(self.days_season_sum, MIN_FACTOR)

    def accept(self) -> None:
        """Take the level as the new normal at every memory (a lasting change).

        The week-long level too: the rhythm is learned against it, and a lagging
        reference would read the new level as a change of rhythm.
        """
        self.slow_sum = self.level * self.slow_season_sum
        self.slow = self.level
        self.day_sum = self.level * self.day_season_sum
        self.days_sum = self.level * self.days_season_sum

    def sd(self, mu: float) -> float:
        """Standard deviation of a window's count around ``mu`` (never below 1)."""
        return max(1.0, math.sqrt(mu + self.phi * mu * mu))

    def update(self, ts: float, count: float, *, seasonal: bool = True) -> None:
        """Learn from the count of the window starting at ``ts``.

        ``seasonal=False`` learns the levels only: a window under suspicion
        must not reshape the rhythm.
        """
        before, after, frac, day = self._place(ts)
        daily = self._daily(before, after, frac)
        self.n += 1
        mu = self.level * daily * self.weekly[day]
        # dispersion is learned in hours whose rhythm has been seen a day: before that, a miss
        # says the rhythm is unknown, not that counts are noisy (a first day would teach
        # phi = MAX_PHI, and no silence or spike could be told for days)
        per_day = max(3600.0 / self.step_s, 1.0)  # observations of one hour slot per day
        rhythm_seen = min(self.daily_n[before], self.daily_n[after]) >= per_day
        if self.n > 1 and mu >= 1.0 and rhythm_seen:
            a_phi = max(alpha(self.phi_halflife_s / self.step_s), 1.0 / self.n)
            self.phi = learn_phi(self.phi, count, mu, a_phi)
        # the level is sum(counts) / sum(factors), exponentially weighted: the Poisson
        # estimate, so a quiet night hour (a few counts over a small factor) weighs little
        a_level = max(alpha(self.level_halflife_s / self.step_s), 1.0 / self.n)
        self.level_sum += a_level * (count - self.level_sum)
        self.season_sum += a_level * (daily * self.weekly[day] - self.season_sum)
        self.level = self.level_sum / max(self.season_sum, MIN_FACTOR)
        season = daily * self.weekly[day]
        for name, halflife_s in (("day", 86400.0), ("days", 4 * 86400.0)):
            a = max(alpha(halflife_s / self.step_s), 1.0 / self.n)
            total, seasons = getattr(self, f"{name}_sum"), getattr(self, f"{name}_season_sum")
            setattr(self, f"{name}_sum", total + a * (count - total))
            setattr(self, f"{name}_season_sum", seasons + a * (season - seasons))
        a_slow = max(alpha(7 * 86400.0 / self.step_s), 1.0 / self.n)
        self.slow_sum += a_slow * (count - self.slow_sum)
        self.slow_season_sum += a_slow * (daily - self.slow_season_sum)
        self.slow = self.slow_sum / max(self.slow_season_sum, MIN_FACTOR)
        if self.level <= 0 or self.slow <= 0 or not seasonal:
            return
        # a weekday's factor starts from 1 as if a week had been seen: one noisy first day
        # of a weekday does not make it; both factors are learned against the slow level,
        # which a busy afternoon or a weekend cannot pull along
        # until a slot has seen a few days, its factor is the mean of all it has seen; a rhythm
        # the key started with counts as PRIOR_COUNTS seen, each window then weighing the counts
        # it should hold (a window of a sparse key says little against its parent's rhythm).
        # Without one, the flat start weighs PRIOR_SECONDS of a slot's history, and (with
        # trust_first_day) a window weighs as much as the level it is measured against is
        # trusted: in the first day of history that level has barely begun (a history starting
        # at night would otherwise teach that night hours are busy)
        exposure = self.slow * self.weekly[day]
        ratio = count / exposure
        trust = min(1.0, self.n * self.step_s / 86400.0) if self.trust_first_day else 1.0
        for slot, share in ((before, 1 - frac), (after, frac)):
            if share <= 0:
                continue
            self.daily_n[slot] += share
            if self.daily_e[slot] > 0:  # started with a rhythm
                self.daily_e[slot] += share * exposure
                early = exposure / self.daily_e[slot]
            else:
                if not self.daily_w[slot]:
                    self.daily_w[slot] = per_day * PRIOR_SECONDS / 3600.0
                self.daily_w[slot] += share * trust
                early = trust / self.daily_w[slot]
            a_day = share * max(alpha(self.daily_halflife_days * per_day), early)
            self.daily[slot] = max(MIN_FACTOR, self.daily[slot] + a_day * (ratio - daily))
        per_week = max(86400.0 / self.step_s, 1.0)
        self.weekly_n[day] += 1
        a_week = max(
            alpha(self.weekly_halflife_weeks * per_week), 1.0 / (self.weekly_n[day] + per_week)
        )
        ratio = count / (self.slow * daily)
        self.weekly[day] = max(MIN_FACTOR, self.weekly[day] + a_week * (ratio - self.weekly[day]))
        _normalise(self.daily)
        _normalise(self.weekly)

    def to_state(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SeasonalBaseline:
        """The baseline a state describes; a state from before time zones was learned in UTC."""
        if "tz" not in state:
            state = {**state, "tz": "UTC", "slow": state.get("level", 0.0)}
        if "daily_w" not in state:  # from before windows were weighed by trust
            per_day = max(3600.0 / state["step_s"], 1.0)
            prior = per_day * PRIOR_SECONDS / 3600.0
            state = {**state, "daily_w": [n + prior for n in state.get("daily_n", [0.0] * 24)]}
        if "level_sum" not in state:  # from before the level was a ratio of sums
            level, slow = state.get("level", 0.0), state.get("slow", 0.0)
            state = {**state, "level_sum": level, "season_sum": 1.0}
            state |= {"slow_sum": slow, "slow_season_sum": 1.0}
            state |= {"day_sum": level, "day_season_sum": 1.0}
            state |= {"days_sum": level, "days_season_sum": 1.0}
        return cls(**state)


def _normalise(factors: list[float]) -> None:
    mean = sum(factors) / len(factors)
    if mean > 0:
        factors[:] = [value / mean for value in factors]  # each is >= MIN_FACTOR already


def upper_tail(x: float, mu: float, phi: float) -> float:
    """P(X >= x) for a negative binomial with mean ``mu`` and dispersion ``phi`` (Poisson at 0).

    Exact (regularised incomplete beta and gamma functions), also far in the tail.
    """
    k = math.ceil(x)
    if k <= 0:
        return 1.0
    mu = max(mu, 1e-6)
    if phi < 1e-9:
        return float(gammainc(k, mu))
    r = 1.0 / phi
    return float(betainc(k, r, mu / (mu + r)))


def lower_tail(x: float, mu: float, phi: float) -> float:
    """P(X <= x) for the same distribution."""
    k = math.floor(x)
    if k < 0:
        return 0.0
    mu = max(mu, 1e-6)
    if phi < 1e-9:
        return float(gammaincc(k + 1, mu))
    r = 1.0 / phi
    return float(betainc(r, k + 1, r / (r + mu)))


def tail_score(p_value: float, scale: float = 10.0, floor: float = 0.0) -> float:
    """A p-value as a 0..1 score on a log scale: 10**-``floor`` or more is 0, 10**-``scale`` 1."""
    if p_value <= 0:
        return 1.0
    return min(1.0, max(0.0, (-math.log10(p_value) - floor) / (scale - floor)))
