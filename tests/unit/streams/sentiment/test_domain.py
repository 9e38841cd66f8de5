"""The domain engine: the shipped model, its n-gram features, and reproducible training."""

import hashlib

import numpy as np
import pytest

from radar.errors import ConfigError
from streams.sentiment import get_engine
from streams.sentiment.base import NEUTRAL
from streams.sentiment.dataset import load_reviews
from streams.sentiment.domain import MODEL_PATH, DomainEngine, DomainModel
from streams.sentiment.features import batch_ngrams, ngram_key, normalise
from streams.sentiment.training import TrainingParams, train_domain_model
from tests.needs import shared_reviews

POSITIVE = [
    "质量很好，物流也快，非常满意",
    "衣服很合身，颜色也好看，好评",
    "送餐很快，味道不错，分量足",  # food delivery: not a training category
    "房间干净，服务热情，下次还住",  # hotel: not a training category
    "客服回复及时，态度很好",
]
NEGATIVE = [
    "质量太差了，用了两天就坏了，再也不买了",
    "等了两个小时才送到，饭都凉了",
    "房间很脏，隔音太差，前台态度恶劣",
    "假货，申请退款客服不理人",
    "手机发热严重，电池一天三充，失望",
]


class TestFeatures:
    def test_normalise_folds_width_case_digits_and_spaces(self):
        assert normalise("ＡＢＣ，１２３  好！") == "abc,000 好!"

    def test_aspect_words_break_ngrams(self):
        grams = batch_ngrams(["客服很好"])
        keys = set(grams.keys.tolist())
        assert ngram_key("很好") in keys
        assert not {ngram_key("客"), ngram_key("客服"), ngram_key("服很")} & keys

    def test_ngram_keys_match_the_batch_keys(self):
        grams = batch_ngrams(["好吃", "ab"])
        expected_first = {ngram_key(g) for g in ["好", "吃", "好吃"]}
        assert set(grams.keys[grams.doc == 0].tolist()) == expected_first
        assert grams.counts().tolist() == [3, 3]

    def test_ngrams_never_cross_texts(self):
        grams = batch_ngrams(["ab", "cd"])
        assert ngram_key("bc") not in set(grams.keys.tolist())

    def test_empty_text_has_no_ngrams(self):
        assert batch_ngrams(["", "   ", "好"]).counts().tolist() == [0, 0, 1]


class TestShippedModel:
    @pytest.fixture(scope="class")
    def engine(self):
        return DomainEngine()

    def test_model_is_small_and_loads(self):
        assert MODEL_PATH.stat().st_size < 8_000_000
        model = DomainModel.load()
        assert len(model.keys) == len(model.weights) > 10_000
        assert np.all(model.keys[1:] > model.keys[:-1])  # sorted, no duplicates

    def test_positive_reviews_score_high(self, engine):
        assert min(engine.score_batch(POSITIVE)) > 0.6

    def test_negative_reviews_score_low(self, engine):
        assert max(engine.score_batch(NEGATIVE)) < 0.4

    def test_batch_equals_one_by_one(self, engine):
        texts = POSITIVE + NEGATIVE + ["", "Great value, love it"]
        assert engine.score_batch(texts) == pytest.approx([engine.score(t) for t in texts])

    @pytest.mark.xfail(
        strict=True,
        reason="known limit (docs/sentiment.md): in product reviews 客服 and 问题 mostly come "
        "with complaints, so praise of a solved problem reads neutral at best (0.51), not positive",
    )
    def test_praise_for_a_solved_problem(self, engine):
        assert engine.score("客服耐心解答，问题很快解决了") > 0.6

    def test_unreadable_text_is_neutral(self, engine):
        # no n-gram the model knows: neither the bias nor any weight applies
        assert engine.score("ꯀꯥꯡꯂꯩꯑꯃ") == pytest.approx(NEUTRAL)

    def test_nothing_to_score_is_neutral(self, engine):
        assert engine.score_batch(["", "   "]) == [NEUTRAL, NEUTRAL]

    def test_english_goes_to_vader(self, engine):
        good, bad = engine.score_batch(["Excellent, I love it", "Awful, I hate it"])
        assert good > 0.7
        assert bad < 0.3

    def test_default_engine_is_domain(self):
        assert isinstance(get_engine("default"), DomainEngine)


class TestTraining:
    """Training on 1,500 rows of the full labelled set (skipped without it, failed in CI)."""

    @pytest.fixture(scope="class")
    def small_set(self):
        reviews = load_reviews(shared_reviews())
        rng = np.random.default_rng(7)
        return reviews.subset(np.sort(rng.choice(len(reviews), 1500, replace=False)))

    def test_training_twice_gives_identical_models(self, small_set, tmp_path):
        params = TrainingParams()
        first = train_domain_model(small_set, params).model
        second = train_domain_model(small_set, params).model
        assert np.array_equal(first.keys, second.keys)
        assert np.array_equal(first.weights, second.weights)
        assert first.bias == second.bias
        first.save(tmp_path / "a.npz")
        second.save(tmp_path / "b.npz")
        digest = [
            hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.npz", "b.npz")
        ]
        assert digest[0] == digest[1]

    def test_saved_model_scores_like_the_trained_one(self, small_set, tmp_path):
        report = train_domain_model(small_set, TrainingParams())
        report.model.save(tmp_path / "m.npz")
        loaded = DomainModel.load(tmp_path / "m.npz")
        texts = small_set.texts[:200]
        assert np.allclose(loaded.predict(texts), report.model.predict(texts))
        assert loaded.meta["leave_one_category_out"][0]["texts"] > 0

    def test_cross_validation_beats_chance_on_every_category(self, small_set):
        report = train_domain_model(small_set, TrainingParams())
        assert {r.category for r in report.categories} == set(small_set.categories)
        big = [r for r in report.categories if r.texts >= 50]
        assert all(r.auc > 0.7 for r in big)

    def test_one_category_is_refused(self, small_set):
        only = np.flatnonzero(np.asarray(small_set.categories) == small_set.categories[0])
        with pytest.raises(ConfigError, match="two categories"):
            train_domain_model(small_set.subset(only), TrainingParams())
