"""The seasonal baseline: local hour slots, the weekly rhythm, robust dispersion, count tails."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from streams.baseline import (
    SeasonalBaseline,
    learn_phi,
    local_slots,
    lower_tail,
    tail_score,
    upper_tail,
)

STEP = 300.0
T0 = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday, 08:00 in Beijing


def feed(baseline: SeasonalBaseline, rates: np.ndarray, seed: int = 1) -> None:
    counts = np.random.default_rng(seed).poisson(rates)
    for i, c in enumerate(counts):
        baseline.update(T0 + i * baseline.step_s, float(c))


def beijing_hour(i: int, step: float = STEP) -> float:
    return ((T0 + i * step) / 3600 + 8) % 24


def beijing_weekday(i: int, step: float = STEP) -> int:
    """0 = Monday, by Beijing's calendar (T0 is a Monday there too)."""
    return int(((T0 + i * step) / 3600 + 8) // 24 - (T0 / 3600 + 8) // 24) % 7


class TestHourSlots:
    def test_slots_are_beijing_hours_by_default(self) -> None:
        assert local_slots(T0, "Asia/Shanghai") == (8, 0)
        assert local_slots(T0 - 3600, "Asia/Shanghai") == (7, 0)
        assert local_slots(T0 - 9 * 3600, "Asia/Shanghai") == (23, 6)  # still Sunday there
        assert SeasonalBaseline(STEP).tz == "Asia/Shanghai"

    def test_the_evening_peak_lands_in_the_evening_slot(self) -> None:
        n = 6 * 288
        peak_at_20 = np.array(
            [20 * (0.2 + math.exp(-((beijing_hour(i) - 20.5) ** 2) / 4)) for i in range(n)]
        )
        local, utc = SeasonalBaseline(STEP), SeasonalBaseline(STEP, tz="UTC")
        feed(local, peak_at_20)
        feed(utc, peak_at_20)
        assert int(np.argmax(local.daily)) == 20
        assert int(np.argmax(utc.daily)) == 12  # 20:30 in Beijing is 12:30 UTC

    def test_a_beijing_day_is_one_weekday(self) -> None:
        # quiet weekends by Beijing's calendar: in UTC days the weekend would end at 08:00
        n = 21 * 288
        rates = np.array([30.0 * (0.4 if beijing_weekday(i) >= 5 else 1.0) for i in range(n)])
        local, utc = SeasonalBaseline(STEP), SeasonalBaseline(STEP, tz="UTC")
        feed(local, rates)
        feed(utc, rates)
        monday_morning = T0 + 21 * 86400 - 4 * 3600  # Monday 04:00 in Beijing
        sunday_morning = monday_morning - 86400
        saturday_morning = monday_morning - 2 * 86400  # still Friday in UTC
        assert local.expected(monday_morning) > 1.6 * local.expected(sunday_morning)
        assert local.expected(saturday_morning) < 0.75 * utc.expected(saturday_morning)

    def test_a_state_from_before_time_zones_keeps_its_utc_slots(self) -> None:
        old = {
            "step_s": STEP, "level_halflife_s": 21600.0, "daily_halflife_days": 3.0,
            "weekly_halflife_weeks": 2.0, "phi_halflife_s": 172800.0, "level": 10.0,
            "daily": [1.0] * 23 + [2.0], "weekly": [1.0] * 7, "phi": 0.1, "n": 500,
            "daily_n": [20] * 24, "weekly_n": [70] * 7,
        }  # fmt: skip
        baseline = SeasonalBaseline.from_state(old)
        assert baseline.tz == "UTC"
        assert baseline.level_over(86400) == pytest.approx(10.0)
        assert baseline.expected(T0 + 23.5 * 3600) > 1.5 * baseline.expected(T0 + 12 * 3600)


class TestRhythm:
    def test_the_weekly_factor_is_learned(self) -> None:
        n = 28 * 288
        rates = np.array([20.0 * (0.5 if beijing_weekday(i) >= 5 else 1.0) for i in range(n)])
        baseline = SeasonalBaseline(STEP)
        feed(baseline, rates)
        weekend = (baseline.weekly[5] + baseline.weekly[6]) / 2
        weekdays = sum(baseline.weekly[:5]) / 5
        assert weekend / weekdays == pytest.approx(0.5, abs=0.1)
        # and the expectation follows: a Saturday afternoon is half a Wednesday afternoon
        wednesday = T0 + 2 * 86400 + 6 * 3600 + 21 * 86400
        assert baseline.expected(wednesday + 3 * 86400) / baseline.expected(wednesday) < 0.65

    def test_one_noisy_first_day_does_not_make_a_weekday_factor(self) -> None:
        rates = np.full(288, 20.0)
        rates[: 288 // 2] = 60.0  # a busy first Monday morning
        baseline = SeasonalBaseline(STEP)
        feed(baseline, rates)
        assert baseline.weekly[0] < 1.25

    @pytest.mark.parametrize("start_hour", [22, 2, 14])
    def test_a_history_starting_at_any_hour_learns_which_hours_are_quiet(
        self, start_hour: int
    ) -> None:
        # hourly, a channel with 10 an hour at night and 150 by day; the history begins at
        # start_hour Beijing time, so its first hours are learned against a level that has
        # barely begun (a night start once taught that night hours are a third of the day)
        def rate(h: float) -> float:
            return 10.0 if 1 <= h < 8 else 150.0

        offset = (start_hour - 8) % 24  # T0 is 08:00 in Beijing
        hours = [beijing_hour(offset + i, 3600.0) for i in range(60)]
        baseline = SeasonalBaseline(3600.0, trust_first_day=True)
        counts = np.random.default_rng(5).poisson([rate(h) for h in hours])
        for i, c in enumerate(counts):
            baseline.update(T0 + (offset + i) * 3600.0, float(c))
        for i in range(60, 72):  # the next half-day, after two days and a half of history
            h = beijing_hour(offset + i, 3600.0)
            expected = baseline.expected(T0 + (offset + i) * 3600.0)
            assert rate(h) / 2 < expected < rate(h) * 2, (h, expected)

    def test_the_level_is_not_shaken_by_quiet_nights(self) -> None:
        n = 10 * 288
        rates = np.array([2.0 * (0.1 if 1 <= beijing_hour(i) < 7 else 1.3) for i in range(n)])
        baseline = SeasonalBaseline(STEP)
        levels = []
        counts = np.random.default_rng(3).poisson(rates)
        for i, c in enumerate(counts):
            baseline.update(T0 + i * STEP, float(c))
            if i >= 5 * 288:
                levels.append(baseline.level)
        assert np.std(levels) / np.mean(levels) < 0.12

    def test_longer_sums_use_slower_levels(self) -> None:
        baseline = SeasonalBaseline(STEP)
        feed(baseline, np.full(5 * 288, 10.0))
        for _ in range(36):  # three hours at twice the level
            baseline.update(T0 + 5 * 86400, 20.0)
        hour, six, day = (baseline.level_over(s) for s in (3600, 6 * 3600, 86400))
        assert hour > six > day > 9.0
        baseline.accept()
        assert baseline.level_over(86400) == pytest.approx(baseline.level)

    def test_a_sparse_key_keeps_its_parents_rhythm_where_its_own_would_be_noise(self) -> None:
        # all complaints peak in the evening; one region's share of one topic: one an hour or so
        n = 3 * 288
        shape = np.array([0.15 + math.exp(-((beijing_hour(i) - 20.5) ** 2) / 8) for i in range(n)])
        hours = np.array([0.15 + math.exp(-((h + 0.5 - 20.5) ** 2) / 8) for h in range(24)])
        parent = SeasonalBaseline(STEP)
        feed(parent, 40 * shape)
        errors = {}
        for name in ("own", "parent's"):
            key = SeasonalBaseline(STEP)
            if name == "parent's":
                assert key.may_start_rhythm()
                key.start_rhythm(parent.daily, parent.weekly)
                assert not key.may_start_rhythm()  # taken once
            feed(key, 0.1 * shape, seed=2)
            # mean distance of the hour factors from the true rhythm, on a log scale
            errors[name] = np.mean(np.abs(np.log(np.array(key.daily) / (hours / hours.mean()))))
        assert errors["parent's"] < 0.75 < 1.0 < errors["own"]

    def test_the_dispersion_waits_for_a_day_of_rhythm(self) -> None:
        # the first day's misses are the unknown rhythm, not noisy counts
        n = 288
        shape = np.array(
            [30 * (0.1 + math.exp(-((beijing_hour(i) - 20.5) ** 2) / 8)) for i in range(n)]
        )
        baseline = SeasonalBaseline(STEP)
        feed(baseline, shape)
        assert baseline.phi == pytest.approx(0.1)
        feed(baseline, shape, seed=3)
        assert baseline.phi < 0.1


class TestDispersion:
    def test_one_burst_barely_moves_the_dispersion(self) -> None:
        phi = 0.1
        burst = learn_phi(phi, count=1000.0, mu=50.0, weight=0.01)
        assert burst < phi * 1.15  # the residual counts as three standard deviations

    def test_the_dispersion_converges_to_the_counts_overdispersion(self) -> None:
        rng = np.random.default_rng(5)
        phi_true, mu, phi = 0.2, 40.0, 0.05
        for count in rng.poisson(mu * rng.gamma(1 / phi_true, phi_true, 20000)):
            phi = learn_phi(phi, float(count), mu, 0.002)
        assert phi == pytest.approx(phi_true, rel=0.2)


class TestTails:
    def test_upper_and_lower_tails_add_up(self) -> None:
        for mu, phi in ((3.0, 0.0), (40.0, 0.3), (500.0, 0.05)):
            for k in (0, 2, 10, 60, 700):
                assert lower_tail(k, mu, phi) + upper_tail(k + 1, mu, phi) == pytest.approx(1.0)

    def test_far_tails_are_exact_not_zero(self) -> None:
        p = upper_tail(400, 100.0, 0.0)
        assert 0 < p < 1e-60
        assert upper_tail(400, 100.0, 0.2) > 1e-6  # overdispersed: not even remarkable

    def test_scores_are_zero_above_the_floor_and_one_at_the_scale(self) -> None:
        assert tail_score(0.02, scale=8, floor=2) == 0.0
        assert tail_score(1e-5, scale=8, floor=2) == pytest.approx(0.5)
        assert tail_score(1e-9, scale=8, floor=2) == 1.0
