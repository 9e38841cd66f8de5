"""Detectors: silence (疏离), volume far below its baseline for a channel or product.

Customers who stop talking are leaving, so a drop matters as much as a spike.
The window's volume is compared with the seasonal baseline by the
negative-binomial lower tail; only keys that usually have volume are judged.
A silence is not raised while a source behind the key reports itself down:
that is a ``source_down`` signal of its own, and an outage must not teach the
baseline that zero is normal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streams.baseline import DEFAULT_TIMEZONE, SeasonalBaseline, lower_tail, tail_score
from streams.episodes import Episode, Status

STATISTIC = "negative_binomial_lower_tail"


@dataclass(frozen=True)
class SilenceSettings:
    """How the silence detector judges (documented in docs/streams.md)."""

    min_expected: float = 10.0  # a window must usually hold this many items to be judged
    min_history: int = 24  # windows of history before any score
    fire_at: float = 0.5
    resolve_below: float = 0.2
    resolve_after: int = 2
    score_scale: float = 10.0


@dataclass(frozen=True)
class SilenceResult:
    window_start: float
    observed: float
    expected: float
    score: float
    p_value: float
    suppressed: bool  # a source behind the key is down
    status: Status | None
    episode_start: float | None


class SilenceDetector:
    """Online silence detection for one key; feed windows (with zero counts) in time order."""

    def __init__(
        self,
        step_s: float,
        settings: SilenceSettings | None = None,
        state: dict[str, Any] | None = None,
        *,
        tz: str = DEFAULT_TIMEZONE,
    ) -> None:
        self.settings = s = settings or SilenceSettings()
        if state:  # a state keeps the zone its hours were learned in
            self.baseline = SeasonalBaseline.from_state(state["baseline"])
            self.episode = Episode.from_state(state["episode"])
        else:
            self.baseline = SeasonalBaseline(step_s, tz=tz)
            self.episode = Episode(s.fire_at, s.resolve_below, s.resolve_after)

    def observe(self, window_start: float, count: int, *, source_down: bool) -> SilenceResult:
        s = self.settings
        expected = self.baseline.expected(window_start)
        score, p_value = 0.0, 1.0
        judged = self.baseline.n >= s.min_history and expected >= s.min_expected
        if judged and not source_down:
            p_value = lower_tail(count, expected, self.baseline.phi)
            score = tail_score(p_value, s.score_scale)
        status = None if source_down else self.episode.step(window_start, score)
        if not source_down and not self.episode.is_open:
            self.baseline.update(window_start, count)
        return SilenceResult(
            window_start=window_start,
            observed=count,
            expected=expected,
            score=score,
            p_value=p_value,
            suppressed=source_down,
            status=status,
            episode_start=self.episode.started,
        )

    def to_state(self) -> dict[str, Any]:
        return {"baseline": self.baseline.to_state(), "episode": self.episode.to_state()}
