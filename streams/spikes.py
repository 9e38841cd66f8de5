"""Detectors: complaint spikes per key, against a seasonal baseline, safe at low counts.

Each window's count is compared with the count the seasonal baseline expects
for that hour and weekday; the surprise is the negative-binomial upper tail
(Poisson when counts are not bursty), shown on a log scale as a 0..1 score.
A spike needs a minimum count, so three complaints at night never wake anyone.
A sustained spike is one episode: it fires once, is updated, then resolves.
The baseline learns from clipped counts during a spike, so an incident does
not teach it that incidents are normal; if the level stays up long enough it
is accepted as the new normal.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from streams.baseline import SeasonalBaseline, tail_score, upper_tail
from streams.episodes import Episode, Status

STATISTIC = "negative_binomial_upper_tail"


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
    status: Status | None  # firing / resolved when there is something to report
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
