"""The sentiment-shift detector: a sustained turn to the negative fires and resolves; noise not."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from streams.shift import SentimentShiftDetector, ShiftResult

HOUR = 3600.0
T0 = datetime(2026, 3, 2, tzinfo=UTC).timestamp()


def hours(
    n: int, volume: float, share: np.ndarray | float, seed: int = 1
) -> list[tuple[int, int, float]]:
    """(volume, negatives, sentiment sum) per hour; a negative item scores 0.15, others 0.8."""
    rng = np.random.default_rng(seed)
    shares = np.broadcast_to(share, (n,))
    out = []
    for p in shares:
        v = int(rng.poisson(volume))
        neg = int(rng.binomial(v, min(max(float(p), 0.0), 1.0)))
        out.append((v, neg, 0.15 * neg + 0.8 * (v - neg)))
    return out


def run(
    windows: list[tuple[int, int, float]], detector: SentimentShiftDetector | None = None
) -> list[ShiftResult]:
    detector = detector or SentimentShiftDetector()
    return [detector.observe(T0 + i * HOUR, v, neg, s) for i, (v, neg, s) in enumerate(windows)]


def fired(results: list[ShiftResult]) -> list[int]:
    return [
        i
        for i, r in enumerate(results)
        if r.status == "firing" and r.window_start == r.episode_start
    ]


class TestShift:
    def test_a_sustained_turn_to_the_negative_fires_once_and_resolves(self) -> None:
        share = np.full(10 * 24, 0.10)
        share[8 * 24 : 8 * 24 + 6] = 0.35  # six hours of a bad batch
        results = run(hours(len(share), 80, share))
        assert fired(results) == [8 * 24]
        first = results[8 * 24]
        assert first.mean_sentiment < first.usual_sentiment - 0.1
        assert first.expected < 0.15 and first.observed > 0.25
        assert "resolved" in {r.status for r in results[8 * 24 + 6 : 8 * 24 + 9]}

    def test_binomial_noise_does_not_fire(self) -> None:
        for seed in range(3):
            assert fired(run(hours(14 * 24, 60, 0.12, seed=seed))) == []

    def test_a_busy_key_whose_share_wanders_from_hour_to_hour_does_not_fire(self) -> None:
        # 2,000 items an hour: the share's natural wander (topics, time of day) is far
        # larger than binomial noise, and must not read as a shift every other day
        rng = np.random.default_rng(4)
        share = np.clip(0.10 + rng.normal(0, 0.02, 14 * 24), 0.02, 0.5)
        results = run(hours(len(share), 2000, share, seed=5))
        assert fired(results) == []
        # while a real turn (the share doubles for hours) still fires
        share[12 * 24 : 12 * 24 + 6] = 0.25
        assert 12 * 24 in fired(run(hours(len(share), 2000, share, seed=5)))

    def test_state_round_trips(self) -> None:
        windows = hours(96, 60, 0.1)
        whole, first = SentimentShiftDetector(), SentimentShiftDetector()
        run(windows[:50], whole)
        run(windows[:50], first)
        resumed = SentimentShiftDetector(state=first.to_state())
        for i, (v, neg, s) in enumerate(windows[50:], start=50):
            a = whole.observe(T0 + i * HOUR, v, neg, s)
            b = resumed.observe(T0 + i * HOUR, v, neg, s)
            assert a == b
