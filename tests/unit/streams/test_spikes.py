"""The spike detector on controlled series: noise, bursts, low counts, episodes, every scale."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from radar.errors import ValidationFailed
from streams.baseline import lower_tail, upper_tail
from streams.series import score_csv
from streams.spikes import SpikeDetector, SpikeResult, SpikeSettings, score_series

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


def beijing_hour(i: int) -> float:
    return ((T0 + i * STEP) / 3600 + 8) % 24


def rates(days: float, level: float, amplitude: float = 0.3) -> np.ndarray:
    """A smooth daily rhythm in Beijing time, busiest at 15:00."""
    hours = np.array([beijing_hour(i) for i in range(int(days * 288))])
    return level * (1 - amplitude * np.cos(2 * np.pi * (hours - 3) / 24))


def bursty(
    rng: np.random.Generator, rate: np.ndarray, noise: float, per_day: float, peak: float
) -> np.ndarray:
    """Counts with log-normal noise and reposting cascades (peak x the rate, gone in ~20 min)."""
    level = rate * np.exp(rng.normal(0, noise, len(rate)) - noise * noise / 2)
    for start in np.flatnonzero(rng.random(len(rate)) < per_day / 288):
        decay = np.exp(-np.arange(20) / 4.0)
        stop = min(len(rate), start + 20)
        level[start:stop] += (peak - 1) * rate[start] * decay[: stop - start]
    return rng.poisson(level).astype(float)


def run(counts: np.ndarray | list[float], **kwargs: object) -> list[SpikeResult]:
    detector = SpikeDetector(STEP, SpikeSettings(**kwargs))  # type: ignore[arg-type]
    return [detector.observe(T0 + i * STEP, float(c)) for i, c in enumerate(counts)]


def onsets(results: list[SpikeResult]) -> list[int]:
    return [
        i
        for i, r in enumerate(results)
        if r.status == "firing" and r.window_start == r.episode_start
    ]


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

    def test_score_csv_takes_the_rhythms_time_zone(self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from streams.cli import spikes

        source = tmp_path / "in.csv"
        lines = ["timestamp,value"] + [
            f"{int(T0 + i * STEP)},{c:g}" for i, c in enumerate(series(2, 10))
        ]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        runner = CliRunner()
        ok = runner.invoke(
            spikes, ["score-csv", str(source), str(tmp_path / "a.csv"), "--tz", "UTC"]
        )
        assert ok.exit_code == 0, ok.output
        bad = runner.invoke(
            spikes, ["score-csv", str(source), str(tmp_path / "b.csv"), "--tz", "Mars/Base"]
        )
        assert bad.exit_code == 2 and "IANA" in bad.output and not (tmp_path / "b.csv").exists()

    def test_settings_are_documented_defaults(self) -> None:
        assert SpikeSettings().min_count == 5


class TestScales:
    def test_a_regional_wave_in_a_quiet_key_fires_within_the_hour(self) -> None:
        # 2 complaints per 5 minutes, then 50 more an hour for 3 hours: every 5-minute
        # window alone stays near min_count, the half hour and the hour do not
        rng = np.random.default_rng(4)
        counts = rng.poisson(rates(5, 2.0)).astype(float)
        start = 4 * 288 + 2 * 12  # 10:00 in Beijing on the fifth day
        counts[start : start + 36] += rng.poisson(50 / 12, 36)
        results = run(counts)
        fired = onsets(results)
        assert [i for i in fired if 288 <= i < start] == []
        [onset] = [i for i in fired if start <= i < start + 48]  # one episode for the wave
        assert (onset - start) * STEP <= 3600
        first = results[onset]
        assert first.scale in {"30m", "1h"} and first.observed >= 5
        assert first.window_s == {"30m": 1800, "1h": 3600}[first.scale]
        assert first.window_end == first.window_start + STEP
        assert first.scales[first.scale] == (first.observed, first.expected)
        assert set(first.scales) == {"5m", "30m", "1h", "6h", "1d"}
        assert "resolved" in {r.status for r in results[start + 36 : start + 36 + 12]}

    def test_a_busy_minute_in_a_noisy_key_does_not_fire(self) -> None:
        rng = np.random.default_rng(7)
        rate = rates(12, 60.0)
        counts = bursty(rng, rate, noise=0.3, per_day=3, peak=3.0)
        blips = [8 * 288 + 100, 9 * 288 + 200, 10 * 288 + 150, 11 * 288 + 50]
        for i in blips:
            counts[i] = round(5 * rate[i])  # one window at five times the usual
        fired = set(onsets(run(counts)))
        assert not fired & set(blips)

    def test_bursts_of_the_keys_usual_size_do_not_fire_but_a_much_larger_one_does(self) -> None:
        rng = np.random.default_rng(11)
        rate = rates(14, 20.0)
        counts = bursty(rng, rate, noise=0.25, per_day=4, peak=4.0)
        big = 13 * 288 + 60
        counts[big : big + 12] += rng.poisson(12 * rate[big : big + 12])
        fired = onsets(run(counts))
        assert [i for i in fired if 7 * 288 <= i < big] == []
        assert [i for i in fired if big <= i < big + 12]

    def test_scores_do_not_saturate_on_a_long_overdispersed_series(self) -> None:
        rng = np.random.default_rng(2)
        rate = rates(28, 80.0, amplitude=0.5)
        counts = bursty(rng, rate, noise=0.35, per_day=0, peak=1)
        scores = np.array([r.score for r in run(counts)[288:]])
        assert (scores > 0).mean() < 0.02
        assert scores.max() < 0.6

    def test_min_count_holds_at_every_scale(self) -> None:
        rng = np.random.default_rng(3)
        counts = rng.poisson(rates(4, 0.05)).astype(float)
        few, many = 3 * 288, 3 * 288 + 144
        counts[few : few + 12 : 3] += 1  # four complaints in an hour: never enough
        counts[many : many + 12] += 3  # 36 in an hour in a key that sees one an hour
        results = run(counts)
        assert all(r.score == 0 for r in results[few : few + 24])
        [onset] = [i for i in onsets(results) if i >= 288]
        assert many <= onset < many + 12 and results[onset].scale != "5m"

    def test_a_longer_scale_does_not_open_a_second_episode_on_the_same_burst(self) -> None:
        rng = np.random.default_rng(5)
        counts = rng.poisson(rates(5, 10.0)).astype(float)
        burst = 3 * 288
        counts[burst : burst + 12] += 60
        fired = [i for i in onsets(run(counts)) if i >= 288]
        assert len(fired) == 1 and burst <= fired[0] < burst + 3

    def test_a_lasting_new_level_is_accepted(self) -> None:
        rng = np.random.default_rng(6)
        rate = rates(10, 10.0)
        rate[4 * 288 :] *= 3
        results = run(rng.poisson(rate).astype(float))
        fired = [i for i in onsets(results) if i >= 288]
        assert len(fired) == 1 and 4 * 288 <= fired[0] < 4 * 288 + 12
        assert not results[-1].status and all(r.score < 0.5 for r in results[6 * 288 :])

    def test_zeros_from_an_outage_are_not_learned_as_normal(self) -> None:
        rng = np.random.default_rng(8)
        counts = rng.poisson(rates(6, 40.0)).astype(float)
        counts[4 * 288 : 4 * 288 + 72] = 0  # six hours of nothing: the feed was down
        results = run(counts)
        assert [i for i in onsets(results) if i >= 288] == []
        after = results[4 * 288 + 72]
        assert after.scales["5m"][1] > 25  # still expecting the usual count

    def test_state_stays_small_and_bounded(self) -> None:
        detector = SpikeDetector(STEP)
        numbers = []
        for i, c in enumerate(series(28, 20)):
            detector.observe(T0 + i * STEP, c)
            if i in (7 * 288, 27 * 288):  # a JSON record per key: a few hundred numbers
                numbers.append(json.dumps(detector.to_state()).count(",") + 1)
        assert numbers[0] == numbers[1] < 450

    def test_a_state_from_before_the_scales_carries_its_baseline_over(self) -> None:
        old_baseline = {
            "step_s": STEP, "level_halflife_s": 21600.0, "daily_halflife_days": 3.0,
            "weekly_halflife_weeks": 2.0, "phi_halflife_s": 172800.0, "level": 12.0,
            "daily": [1.0] * 24, "weekly": [1.0] * 7, "phi": 0.1, "n": 5000,
            "daily_n": [200] * 24, "weekly_n": [700] * 7,
        }  # fmt: skip
        episode = {"fire_at": 0.5, "resolve_below": 0.2, "resolve_after": 3, "open_since": None,
                   "started": None, "windows": 0, "quiet": 0, "peak": 0.0}  # fmt: skip
        state = {"baseline": old_baseline, "episode": episode, "recent": [[10.0, 12.0]] * 3}
        detector = SpikeDetector(STEP, state=state)
        result = detector.observe(T0, 11.0)
        assert result.expected == pytest.approx(12.0) and result.status is None
        assert SpikeDetector(STEP, state=detector.to_state()).baseline.tz == "UTC"
