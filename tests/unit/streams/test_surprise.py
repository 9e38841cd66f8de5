"""A key's history of surprises: the plain model at first, then what the key has shown."""

from __future__ import annotations

import math

import numpy as np
import pytest

from streams.surprise import SurpriseHistory, bin_of


class TestSurpriseHistory:
    def test_without_history_a_surprise_means_what_the_model_says(self) -> None:
        history = SurpriseHistory(halflife=4032, prior=30)
        for u in (2.0, 4.0, 6.0, 9.0):  # a little more cautious, never more alarmed
            assert 10**-u <= history.survival(u) < 3 * 10**-u

    def test_a_key_that_is_always_this_surprised_is_not_news(self) -> None:
        rng = np.random.default_rng(1)
        history = SurpriseHistory(halflife=4032, prior=30)
        for u in rng.exponential(3 / math.log(10), 5000):  # surprises three times too large
            history.learn(float(u))
        assert history.survival(6.0) == pytest.approx(10**-2, rel=0.3)
        assert history.survival(15.0) < 1e-4  # far beyond its history it is news again

    def test_it_forgets(self) -> None:
        history = SurpriseHistory(halflife=100, prior=1)
        for _ in range(300):
            history.learn(8.0)
        for _ in range(2000):
            history.learn(0.2)
        assert history.survival(8.0) < 1e-4
        assert history.seen == pytest.approx(100 / math.log(2), rel=0.05)

    def test_state_round_trips(self) -> None:
        history = SurpriseHistory(halflife=50, prior=10)
        for u in (0.1, 3.0, 7.5, 0.4) * 1000:
            history.learn(u)
        again = SurpriseHistory.from_state(history.to_state())
        assert again.survival(5.0) == history.survival(5.0)
        assert max(again.hist) <= 1e6 * 2  # weights are rescaled, never overflow

    def test_bins(self) -> None:
        assert [bin_of(u) for u in (0.0, 0.49, 0.5, 2.0, 149.0, 1e9)] == [0, 0, 1, 4, 22, 23]
