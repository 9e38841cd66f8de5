"""The silence detector: a channel gone quiet fires and resolves; nights and outages do not."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np

from streams.silence import SilenceDetector, SilenceResult, SilenceSettings

HOUR = 3600.0
T0 = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday, 08:00 in Beijing


def volume(days: int, peak: float = 150.0, seed: int = 1) -> np.ndarray:
    """Hourly messages of a channel: busy afternoons and evenings, quiet nights (Beijing time)."""
    hours = (np.arange(days * 24) + 8) % 24
    rate = peak * (0.06 + 0.94 * (0.5 - 0.5 * np.cos(2 * np.pi * (hours - 4) / 24)) ** 2)
    rng = np.random.default_rng(seed)
    return rng.poisson(rate * rng.gamma(20, 1 / 20, len(rate))).astype(float)


def run(
    counts: np.ndarray, down: set[int] | None = None, detector: SilenceDetector | None = None
) -> list[SilenceResult]:
    detector = detector or SilenceDetector(HOUR)
    return [
        detector.observe(T0 + i * HOUR, int(c), source_down=i in (down or set()))
        for i, c in enumerate(counts)
    ]


def fired(results: list[SilenceResult]) -> list[int]:
    return [
        i
        for i, r in enumerate(results)
        if r.status == "firing" and r.window_start == r.episode_start
    ]


class TestSilence:
    def test_a_channel_gone_quiet_fires_and_resolves_when_it_returns(self) -> None:
        counts = volume(10)
        quiet = range(9 * 24 + 2, 9 * 24 + 8)  # 10:00-16:00 in Beijing: the busy hours
        for i in quiet:
            counts[i] = math.floor(counts[i] * 0.02)
        results = run(counts)
        assert fired(results) == [quiet.start]
        assert all(results[i].status == "firing" for i in quiet)
        after = [r.status for r in results[quiet.stop : quiet.stop + 3]]
        assert "resolved" in after
        assert results[quiet.start].expected > 30 and results[quiet.start].score >= 0.5

    def test_hours_at_half_the_usual_pace_are_a_dip_not_a_silence(self) -> None:
        # a steady channel (a Monday after a busy weekend, as the baseline saw it): half the
        # usual messages for six hours is strong evidence of fewer, not of quiet
        counts = np.random.default_rng(1).poisson(np.full(6 * 24, 60.0)).astype(float)
        dip = range(5 * 24, 5 * 24 + 6)
        counts[dip.start : dip.stop] = np.floor(counts[dip.start : dip.stop] * 0.5)
        assert fired(run(counts)) == []
        counts[dip.start : dip.stop] = np.floor(counts[dip.start : dip.stop] * 0.2)
        assert fired(run(counts)) == [dip.start]  # a tenth of the pace: quiet

    def test_quiet_nights_do_not_fire(self) -> None:
        counts = volume(14)
        results = run(counts)
        night = [r for i, r in enumerate(results) if (i + 8) % 24 in (2, 3, 4, 5)]
        assert max(r.expected for r in night[-7:]) < 30  # it knows the nights are quiet
        assert fired(results) == []

    def test_an_outage_neither_fires_nor_teaches_that_zero_is_normal(self) -> None:
        counts = volume(10)
        down = set(range(8 * 24, 8 * 24 + 12))
        for i in down:
            counts[i] = 0
        detector = SilenceDetector(HOUR)
        results = run(counts[: 9 * 24], down, detector)
        assert fired(results) == []
        assert all(results[i].suppressed and results[i].status is None for i in down)
        assert all(results[i].score == 0 for i in down)
        # the day after, the channel is expected as before, and a real silence still fires
        same_hour = T0 + (9 * 24 + 4) * HOUR
        assert detector.baseline.expected(same_hour) > 0.7 * counts[8 * 24 + 4]
        later = counts[9 * 24 :].copy()
        later[2:8] = 0
        tail = [
            detector.observe(T0 + (9 * 24 + i) * HOUR, int(c), source_down=False)
            for i, c in enumerate(later)
        ]
        assert fired(tail) == [2]

    def test_hours_are_those_of_the_zone_given(self) -> None:
        assert SilenceDetector(HOUR).baseline.tz == "Asia/Shanghai"
        detector = SilenceDetector(HOUR, tz="UTC")
        run(volume(3), detector=detector)
        assert (
            SilenceDetector(HOUR, state=detector.to_state(), tz="Asia/Tokyo").baseline.tz == "UTC"
        )

    def test_state_round_trips(self) -> None:
        counts = volume(4)
        whole, first = SilenceDetector(HOUR), SilenceDetector(HOUR)
        run(counts[:60], detector=whole)
        run(counts[:60], detector=first)
        resumed = SilenceDetector(HOUR, state=first.to_state())
        for i, c in enumerate(counts[60:], start=60):
            a = whole.observe(T0 + i * HOUR, int(c), source_down=False)
            b = resumed.observe(T0 + i * HOUR, int(c), source_down=False)
            assert a == b

    def test_hours_of_quiet_on_a_noisy_channel_fire_where_each_hour_alone_does_not(self) -> None:
        # a chat channel whose hourly volume swings widely (bursty, overdispersed)
        hours = (np.arange(15 * 24) + 8) % 24
        rate = 60 * (0.1 + 0.9 * (0.5 - 0.5 * np.cos(2 * np.pi * (hours - 4) / 24)) ** 2)
        rng = np.random.default_rng(5)
        counts = rng.poisson(rate * rng.gamma(2, 1 / 2, len(rate))).astype(float)
        quiet = range(14 * 24 + 4, 14 * 24 + 8)  # 12:00-16:00 in Beijing: silent
        counts[list(quiet)] = 0
        hour_by_hour = run(
            counts, detector=SilenceDetector(HOUR, SilenceSettings(sustained_windows=1))
        )
        assert fired(hour_by_hour) == []  # no single hour is evidence enough
        results = run(counts)
        assert fired(results) and fired(results)[0] in quiet
        assert all(results[i].status == "firing" for i in quiet[2:])

    def test_an_hour_seen_once_busy_is_not_a_silence_when_it_is_usual_again(self) -> None:
        # 07:00 Beijing time, the last hour of the first day (the history begins at 08:00), is
        # five times as busy as usual; the next morning it is usual again: one day says little
        for seed in (3, 4):
            counts = volume(3, seed=seed)
            counts[23] *= 5
            assert fired(run(counts)) == [], seed
            assert fired(
                run(counts, detector=SilenceDetector(HOUR, SilenceSettings(slot_doubt=0.0)))
            ) == [47]
