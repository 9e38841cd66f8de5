"""Detectors: a shift towards negative sentiment on keys with steady volume.

The share of negative items in a window is compared with the key's usual
share (an EWMA of negatives over an EWMA of volume) by a one-sided z-test.
The variance is binomial plus the share's own hour-to-hour wander, learned
from winsorised residuals: in a busy key the binomial part is tiny and the
share still moves with topics and hours, which is not a shift. Only keys
whose volume is steady enough for a share to mean something are judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from streams.baseline import WINSOR_MEAN, WINSOR_SD, tail_score
from streams.episodes import Episode, Status
from streams.plain import plain

STATISTIC = "binomial_z_negative_share"  # the name the message catalogues know


@dataclass(frozen=True)
class ShiftSettings:
    """How the sentiment-shift detector judges (documented in docs/streams.md)."""

    min_volume: int = 20  # items in the window, and usual items per window
    min_history: int = 6  # windows of history before any score
    min_share: float = 0.05  # the usual share is never taken below this
    halflife_windows: float = 48.0
    fire_at: float = 0.5
    resolve_below: float = 0.2
    resolve_after: int = 2
    score_scale: float = 10.0


@dataclass
class ShiftState:
    neg: float = 0.0
    volume: float = 0.0
    sentiment: float = 0.0
    wander: float = 0.0  # variance of the share beyond binomial noise
    n: int = 0
    episode: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShiftResult:
    window_start: float
    observed: float  # negative share in the window
    expected: float  # usual negative share
    score: float
    z: float
    mean_sentiment: float
    usual_sentiment: float
    status: Status | None
    episode_start: float | None


class SentimentShiftDetector:
    """Online negative-share shift detection for one key; feed windows in time order."""

    def __init__(
        self, settings: ShiftSettings | None = None, state: dict[str, Any] | None = None
    ) -> None:
        self.settings = s = settings or ShiftSettings()
        self.state = ShiftState(**state) if state else ShiftState()
        self.episode = (
            Episode.from_state(self.state.episode)
            if self.state.episode
            else Episode(s.fire_at, s.resolve_below, s.resolve_after)
        )

    def observe(
        self, window_start: float, volume: int, negatives: int, sentiment_sum: float
    ) -> ShiftResult:
        s, st = self.settings, self.state
        usual = max(st.neg / st.volume, s.min_share) if st.volume > 0 else s.min_share
        usual = min(usual, 1 - s.min_share)  # a key that is always negative can still shift
        usual_sentiment = st.sentiment / st.volume if st.volume > 0 else 0.5
        share = negatives / volume if volume else 0.0
        steady = st.n >= s.min_history and st.volume >= s.min_volume and volume >= s.min_volume
        z, score = 0.0, 0.0
        binomial = usual * (1 - usual) / volume if volume else 0.0
        if steady:
            z = (share - usual) / math.sqrt(binomial + st.wander)
            score = tail_score(0.5 * math.erfc(z / math.sqrt(2)), s.score_scale) if z > 0 else 0.0
        status = self.episode.step(window_start, score)
        if not self.episode.is_open:  # an episode does not teach what is usual
            a = max(1 - 0.5 ** (1 / s.halflife_windows), 1 / (st.n + 1))
            if st.n >= s.min_history and volume >= s.min_volume:
                # one odd hour moves the wander no more than a three-sd hour would
                var = binomial + st.wander
                seen = min((share - usual) ** 2, WINSOR_SD**2 * var) / WINSOR_MEAN - binomial
                st.wander = max(0.0, st.wander + a * (seen - st.wander))
            st.neg += a * (negatives - st.neg)
            st.volume += a * (volume - st.volume)
            st.sentiment += a * (sentiment_sum - st.sentiment)
            st.n += 1
        return ShiftResult(
            window_start=window_start,
            observed=share,
            expected=usual,
            score=score,
            z=z,
            mean_sentiment=sentiment_sum / volume if volume else 0.5,
            usual_sentiment=usual_sentiment,
            status=status,
            episode_start=self.episode.started,
        )

    def to_state(self) -> dict[str, Any]:
        self.state.episode = self.episode.to_state()
        return plain(self.state)
