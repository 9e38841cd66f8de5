"""Detectors: silence (疏离), volume far below its baseline for a channel or product.

Customers who stop talking are leaving, so a drop matters as much as a spike.
The window's volume, and the last three windows' together, are compared with
the seasonal baseline by the negative-binomial lower tail (Bonferroni-corrected);
only keys that usually have volume are judged, and a window that looks quiet is
learned clipped, so a silence does not teach the baseline that quiet is usual.
A silence is not raised while a source behind the key reports itself down:
that is a ``source_down`` signal of its own, and an outage must not teach the
baseline that zero is normal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from streams.baseline import DEFAULT_TIMEZONE, SeasonalBaseline, lower_tail, tail_score
from streams.episodes import Episode, Status

STATISTIC = "negative_binomial_lower_tail"


@dataclass(frozen=True)
class SilenceSettings:
    """How the silence detector judges (documented in docs/streams.md)."""

    min_expected: float = 10.0  # a window must usually hold this many items to be judged
    min_history: int = 36  # windows of history before any score (a day and a half)
    sustained_windows: int = 3  # also test the sum of this many windows (hours of quiet)
    #: a silence is a channel gone (nearly) quiet: windows holding more than this share of
    #: what is expected are a dip (a Monday after a busy weekend), not a silence
    max_ratio: float = 0.3
    #: an hour's expected count learned from one day of that hour is itself uncertain (one
    #: busy or quiet hour made it): this much dispersion is added to judge it, and it shrinks
    #: with each further day seen (a factor from d days: slot_doubt / d)
    slot_doubt: float = 0.1
    clip_sigmas: float = 3.0  # a window that looks quiet is learned as at most this far below
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
        self.baseline.trust_first_day = True  # hourly: one window of each hour a day
        #: (count, expected) of the windows before the latest, for the sustained test
        self.recent: list[list[float]] = [list(x) for x in (state or {}).get("recent", [])]

    def p_value(self, count: float, expected: float, doubt: float = 0.0) -> float:
        """The window's lower tail, and that of the last ``sustained_windows`` together
        (hours of near-quiet are strong evidence where each hour alone is not), corrected;
        1 for what is not near-quiet (``max_ratio``). ``doubt`` is the dispersion of the
        expected count itself (a young hour factor)."""
        s, phi = self.settings, self.baseline.phi
        quiet = count <= s.max_ratio * expected
        p_value = lower_tail(count, expected, phi + doubt) if quiet else 1.0
        if s.sustained_windows > 1 and len(self.recent) >= s.sustained_windows - 1:
            total = count + sum(c for c, _ in self.recent)
            mean = expected + sum(e for _, e in self.recent)
            quiet = total <= s.max_ratio * mean
            spread = (phi + doubt) / s.sustained_windows  # hours learned apart err apart
            p_sum = lower_tail(total, mean, spread) if quiet else 1.0
            p_value = min(1.0, 2 * min(p_value, p_sum))
        return p_value

    def observe(self, window_start: float, count: int, *, source_down: bool) -> SilenceResult:
        s = self.settings
        expected = self.baseline.expected(window_start)
        score, p_value = 0.0, 1.0
        judged = self.baseline.n >= s.min_history and expected >= s.min_expected
        if judged and not source_down:
            doubt = s.slot_doubt / max(self.baseline.days_seen(window_start), 1.0)
            p_value = self.p_value(count, expected, doubt)
            score = tail_score(p_value, s.score_scale)
        status = None if source_down else self.episode.step(window_start, score)
        learned = float(count)
        if score >= s.resolve_below:  # a quiet-looking window must not teach that quiet is usual
            sd = math.sqrt(expected + self.baseline.phi * expected * expected)
            learned = max(learned, expected - s.clip_sigmas * sd)
        if not source_down and not self.episode.is_open:
            self.baseline.update(window_start, learned)
        if not source_down:
            keep = max(s.sustained_windows - 1, 0)
            self.recent = [*self.recent, [learned, expected]][-keep:] if keep else []
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
        return {
            "baseline": self.baseline.to_state(),
            "episode": self.episode.to_state(),
            "recent": [list(x) for x in self.recent],
        }
