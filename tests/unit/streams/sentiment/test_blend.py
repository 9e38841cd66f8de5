"""The blend engine: domain log-odds and snownlp's combined with trained weights."""

import numpy as np
import pytest

from radar.errors import ConfigError
from streams.sentiment import get_engine
from streams.sentiment.blend import BlendEngine, fit_blend, snownlp_log_odds
from streams.sentiment.domain import DomainModel


def test_log_odds_are_capped():
    odds = snownlp_log_odds([0.0, 0.5, 1.0])
    assert odds[1] == 0.0
    assert odds[0] == pytest.approx(-12.0)
    assert odds[2] == pytest.approx(12.0)


def test_fit_blend_finds_the_informative_model():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 4000)
    informative = (labels * 2 - 1) * 2.0 + rng.normal(0, 1, 4000)
    noise = rng.random(4000)  # a "reference" that knows nothing
    own, other = fit_blend(informative, noise, labels)
    assert own > 1.0
    assert abs(other) < 0.1


class TestBlendEngine:
    def test_shipped_model_has_blend_weights(self):
        own, snownlp = DomainModel.load().blend
        assert own > 0
        assert snownlp > 0

    def test_scores_follow_both_models(self):
        engine = get_engine("blend")
        good, bad, empty = engine.score_batch(["质量很好，非常满意", "太差了，再也不买了", ""])
        assert good > 0.8
        assert bad < 0.2
        assert empty == 0.5

    def test_model_without_weights_is_refused(self):
        model = DomainModel.load()
        unfitted = DomainModel(keys=model.keys, weights=model.weights, bias=model.bias)
        with pytest.raises(ConfigError, match="blend weights"):
            BlendEngine(unfitted).score_batch(["好"])
