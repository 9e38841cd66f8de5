"""English sentiment: VADER's compound on the 0..1 scale."""

import pytest

from streams.sentiment.base import NEUTRAL
from streams.sentiment.english import EnglishEngine, compound_to_score, readable_part


class TestCompoundToScore:
    @pytest.mark.parametrize(
        ("compound", "score"), [(-1.0, 0.0), (-0.5, 0.25), (0.0, 0.5), (0.2, 0.6), (1.0, 1.0)]
    )
    def test_linear_map(self, compound, score):
        assert compound_to_score(compound) == pytest.approx(score)

    def test_clamped(self):
        assert compound_to_score(1.5) == 1.0
        assert compound_to_score(-3.0) == 0.0


class TestEnglishEngine:
    @pytest.fixture(scope="class")
    def engine(self):
        return EnglishEngine()

    def test_positive_and_negative_reviews(self, engine):
        good, bad = engine.score_batch(
            [
                "Great product, works perfectly and arrived early. Love it!",
                "Terrible quality, it broke after two days and support never replied.",
            ]
        )
        assert good > 0.8
        assert bad < 0.3

    def test_no_sentiment_words_is_neutral(self, engine):
        assert engine.score("The parcel was delivered on Tuesday") == pytest.approx(NEUTRAL)
        assert engine.score("") == NEUTRAL
        assert engine.score("质量很好") == NEUTRAL  # nothing VADER can read

    def test_english_word_inside_chinese_is_read(self, engine):
        assert readable_part("很nice的") == " nice "
        assert engine.score("很nice") > 0.6

    def test_negation_lowers_the_score(self, engine):
        assert engine.score("not good at all") < 0.5 < engine.score("good")
