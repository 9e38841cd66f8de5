"""The spike detector on controlled series: quiet noise, a burst, low counts, one episode."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from radar.errors import ValidationFailed
from streams.baseline import lower_tail, upper_tail
from streams.series import score_csv
from streams.spikes import SpikeDetector, SpikeSettings, score_series

STEP = 300.0
T0 = datetime(2026, 3, 2, tzinfo=UTC).timestamp()


def rhythm(i: int, level: float) -> float:
    hour = ((T0 + i * STEP) % 86400) / 3600
    return level * (0.3 + 1.4 * (0.5 - 0.5 * math.cos(2 * math.pi * (hour - 4) / 24)))


def poisson(rng: random.Random, mu: float) -> int:
    limit, k, p = math.exp(-mu), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def series(days: float, level: float, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [float(poisson(rng, rhythm(i, level))) for i in range(int(days * 86400 / STEP))]


class TestTails:
    def test_poisson_tails_match_closed_forms(self) -> None:
        assert upper_tail(1, 2.0, 0.0) == pytest.approx(1 - math.exp(-2))
        assert lower_tail(0, 2.0, 0.0) == pytest.approx(math.exp(-2))

    def test_overdispersion_fattens_the_tail(self) -> None:
        assert upper_tail(30, 10.0, 0.5) > 100 * upper_tail(30, 10.0, 0.0)

    def test_large_counts_use_the_normal_approximation(self) -> None:
        assert upper_tail(2000, 1000.0, 0.0) < 1e-100 or upper_tail(2000, 1000.0, 0.0) < 1e-20


class TestDetector:
    def test_ordinary_days_raise_nothing(self) -> None:
        detector = SpikeDetector(STEP)
        results = [detector.observe(T0 + i * STEP, c) for i, c in enumerate(series(4, 10))]
        assert not [r for r in results[288:] if r.status == "firing"]

    def test_a_burst_fires_once_and_resolves(self) -> None:
        counts = series(3, 10)
        burst = range(600, 612)
        for i in burst:
            counts[i] += 60
        detector = SpikeDetector(STEP)
        results = [detector.observe(T0 + i * STEP, c) for i, c in enumerate(counts)]
        onsets = [
            i
            for i, r in enumerate(results)
            if r.status == "firing" and r.window_start == r.episode_start
        ]
        assert onsets == [600]  # detected in its first window, one episode
        assert results[600].expected < 20 and results[600].score > 0.9
        statuses = [r.status for r in results[600:640]]
        assert "resolved" in statuses
        assert {r.episode_start for r in results[600:612]} == {T0 + 600 * STEP}

    def test_low_counts_never_fire(self) -> None:
        detector = SpikeDetector(STEP)
        counts = [0.0] * 400 + [4.0]  # from nothing to four: surprising, but below the minimum
        results = [detector.observe(T0 + i * STEP, c) for i, c in enumerate(counts)]
        assert results[-1].score == 0.0 and results[-1].status is None

    def test_the_baseline_knows_the_daily_rhythm(self) -> None:
        detector = SpikeDetector(STEP)
        for i, c in enumerate(series(5, 20)):
            detector.observe(T0 + i * STEP, c)
        night = detector.baseline.expected(T0 + 4 * 3600)
        evening = detector.baseline.expected(T0 + 16 * 3600)
        assert evening > 2.5 * night

    def test_state_round_trips(self) -> None:
        counts = series(2, 10)
        whole = SpikeDetector(STEP)
        first = SpikeDetector(STEP)
        for i, c in enumerate(counts[:300]):
            whole.observe(T0 + i * STEP, c)
            first.observe(T0 + i * STEP, c)
        resumed = SpikeDetector(STEP, state=first.to_state())
        for i, c in enumerate(counts[300:], start=300):
            a, b = whole.observe(T0 + i * STEP, c), resumed.observe(T0 + i * STEP, c)
            assert a == b


class TestScoreSeries:
    def test_scores_are_online(self) -> None:
        counts = series(2, 10)
        rows = [(T0 + i * STEP, c) for i, c in enumerate(counts)]
        full = [s for _, s in score_series(rows)]
        prefix = [s for _, s in score_series(rows[:400])]
        assert full[:400] == prefix

    def test_an_episode_is_news_once(self) -> None:
        counts = series(3, 10)
        for i in range(600, 606):
            counts[i] += 80
        scored = list(score_series([(T0 + i * STEP, c) for i, c in enumerate(counts)]))
        assert scored[600][1] > 0.9
        assert all(s <= 0.5 * 1.0 + 1e-9 for _, s in scored[601:606])

    def test_score_csv_adds_a_column(self, tmp_path: Path) -> None:
        source = tmp_path / "in.csv"
        lines = ["timestamp,value"] + [
            f"{datetime.fromtimestamp(T0 + i * STEP, UTC):%Y-%m-%d %H:%M:%S},{c:g}"
            for i, c in enumerate(series(1, 10))
        ]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert score_csv(source, tmp_path / "out.csv") == 288
        out = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
        assert out[0] == "timestamp,value,anomaly_score"
        assert all(0.0 <= float(line.rsplit(",", 1)[1]) <= 1.0 for line in out[1:])

    def test_score_csv_names_the_bad_line(self, tmp_path: Path) -> None:
        source = tmp_path / "in.csv"
        source.write_text(
            "timestamp,value\n2026-01-01 00:00:00,1\nnot a time,2\n", encoding="utf-8"
        )
        with pytest.raises(ValidationFailed, match="line 3"):
            score_csv(source, tmp_path / "out.csv")

    def test_settings_are_documented_defaults(self) -> None:
        assert SpikeSettings().min_count == 5
