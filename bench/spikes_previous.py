"""The spike detector as it was before multi-scale detection (commit 0e040ef), for side-by-side figures.

bench/spikes.py prints its scores beside the current detector's; nothing
else imports it. Negative-binomial tails against a UTC Holt-Winters
baseline, the window and the sum of the last four windows, score
min(1, -log10 p / 10).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

MIN_FACTOR = 0.05
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


@dataclass
class Episode:
    """Whether a key is in an incident, since when, and how it ends.

    It opens when a score reaches ``fire_at`` and stays open (one signal,
    updated) until the score stays below ``resolve_below`` for
    ``resolve_after`` windows in a row.
    """

    fire_at: float
    resolve_below: float
    resolve_after: int = 3
    open_since: float | None = None
    started: float | None = None
    windows: int = 0
    quiet: int = 0
    peak: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.open_since is not None

    def step(self, window_start: float, score: float) -> str | None:
        """Feed one window's score; returns what to report for it (None: nothing).

        :attr:`started` keeps the start of the latest episode, also after it resolved.
        """
        if self.open_since is None:
            if score >= self.fire_at:
                self.open_since = self.started = window_start
                self.windows, self.quiet, self.peak = 1, 0, score
                return "firing"
            return None
        self.windows += 1
        self.peak = max(self.peak, score)
        self.quiet = self.quiet + 1 if score < self.resolve_below else 0
        if self.quiet >= self.resolve_after:
            self.open_since = None
            return "resolved"
        return "firing"

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Episode:
        return cls(**state)


@dataclass(frozen=True)
class SpikeSettings:
    """How the spike detector judges (documented in docs/streams.md)."""

    min_count: int = 5  # a window with fewer items never scores
    min_history: int = 12  # windows of history before any score
    fire_at: float = 0.5  # score that opens an episode (p <= 1e-5)
    resolve_below: float = 0.2  # scores below this count as quiet (p > 1e-2)
    resolve_after: int = 3  # quiet windows in a row that end an episode
    score_scale: float = 10.0  # p-value 10**-scale is score 1
    clip_sigmas: float = 3.0  # counts learned during an episode are capped at mu + k*sd
    adapt_after: int = 36  # windows after which a lasting level is learned as normal
    repeat_factor: float = 0.5  # score-csv: scores after an episode's first window are damped
    sustained_windows: int = 4  # also test the sum of this many windows (catches slower rises)
    warmup_s: float = 86400.0  # until a day is seen, the rhythm is uncertain: tails are widened
    warmup_phi: float = 1.0  # extra dispersion at the start of the warm-up, fading to 0
    level_halflife_s: float = 6 * 3600.0
    daily_halflife_days: float = 3.0


@dataclass(frozen=True)
class SpikeResult:
    """What the detector made of one window."""

    window_start: float
    observed: float
    expected: float
    score: float
    p_value: float
    dispersion: float
    status: str | None  # firing / resolved when there is something to report
    episode_start: float | None


class SpikeDetector:
    """Online spike detection for one key; feed windows in event-time order."""

    def __init__(
        self,
        step_s: float,
        settings: SpikeSettings | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings or SpikeSettings()
        s = self.settings
        if state:
            self.baseline = SeasonalBaseline.from_state(state["baseline"])
            self.episode = Episode.from_state(state["episode"])
        else:
            self.baseline = SeasonalBaseline(
                step_s,
                level_halflife_s=s.level_halflife_s,
                daily_halflife_days=s.daily_halflife_days,
            )
            self.episode = Episode(s.fire_at, s.resolve_below, s.resolve_after)
        self.recent: list[tuple[float, float]] = [tuple(x) for x in (state or {}).get("recent", [])]

    def dispersion(self) -> float:
        """The baseline's dispersion, widened while the daily rhythm is still being learned."""
        s = self.settings
        warm = self.baseline.n * self.baseline.step_s / s.warmup_s
        return self.baseline.phi + s.warmup_phi * max(0.0, 1.0 - warm)

    def score(self, window_start: float, count: float) -> tuple[float, float, float]:
        """(score, p-value, expected) for a window, without learning from it.

        The p-value is the smaller of this window's tail and the tail of the
        last ``sustained_windows`` windows together (Bonferroni-corrected).
        """
        s = self.settings
        expected = self.baseline.expected(window_start)
        if self.baseline.n < s.min_history or count < s.min_count:
            return 0.0, 1.0, expected
        phi = self.dispersion()
        p_value = upper_tail(count, max(expected, 0.05), phi)
        if s.sustained_windows > 1 and len(self.recent) >= s.sustained_windows - 1:
            earlier = self.recent[-(s.sustained_windows - 1) :]
            total = count + sum(c for c, _ in earlier)
            mean = expected + sum(e for _, e in earlier)
            p_sum = upper_tail(total, max(mean, 0.05), phi / s.sustained_windows)
            p_value = min(1.0, 2 * min(p_value, p_sum))
        return tail_score(p_value, s.score_scale), p_value, expected

    def observe(self, window_start: float, count: float) -> SpikeResult:
        """Score the window, advance the episode, then learn from the window."""
        s = self.settings
        score, p_value, expected = self.score(window_start, count)
        status = self.episode.step(window_start, score)
        learn = count
        suspicious = self.episode.is_open or score >= s.resolve_below
        if suspicious and self.episode.windows < s.adapt_after:
            sd = math.sqrt(expected + self.baseline.phi * expected * expected)
            learn = min(count, expected + s.clip_sigmas * max(sd, 1.0))
        self.baseline.update(window_start, learn)
        self.recent = [*self.recent, (learn, expected)][-max(s.sustained_windows - 1, 1) :]
        return SpikeResult(
            window_start=window_start,
            observed=count,
            expected=expected,
            score=score,
            p_value=p_value,
            dispersion=self.dispersion(),
            status=status,
            episode_start=self.episode.started,
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.to_state(),
            "episode": self.episode.to_state(),
            "recent": [list(x) for x in self.recent],
        }


def score_series(
    rows: Iterable[tuple[float, float]], settings: SpikeSettings | None = None
) -> Iterator[tuple[SpikeResult, float]]:
    """Score a count series online: each (result, reported score) uses only rows up to it.

    The step is the smallest gap between the first timestamps seen. The
    reported score is the window's score, damped by ``repeat_factor`` after
    the first window of an episode (an incident is news once).
    """
    settings = settings or SpikeSettings()
    detector: SpikeDetector | None = None
    pending: list[tuple[float, float]] = []
    for ts, value in rows:
        if detector is None:
            pending.append((ts, value))
            if len(pending) < 3:
                continue
            gaps = [b[0] - a[0] for a, b in itertools.pairwise(pending) if b[0] > a[0]]
            detector = SpikeDetector(min(gaps) if gaps else 300.0, settings)
            for early_ts, early_value in pending:
                yield _reported(detector.observe(early_ts, early_value), detector)
            continue
        yield _reported(detector.observe(ts, value), detector)
    if detector is None:  # fewer than three rows: nothing to learn from
        detector = SpikeDetector(300.0, settings)
        for ts, value in pending:
            yield _reported(detector.observe(ts, value), detector)


def _reported(result: SpikeResult, detector: SpikeDetector) -> tuple[SpikeResult, float]:
    episode = detector.episode
    if result.status == "firing" and episode.windows > 1:
        return result, result.score * detector.settings.repeat_factor
    return result, result.score
