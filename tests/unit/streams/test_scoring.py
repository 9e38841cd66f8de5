"""The understanding stage end to end on a batch: dedupe, language, complaint, topics, severity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from radar.events import FeedbackEvent, ScoredEvent, make_event_id, parse_model
from streams.complaint import is_complaint
from streams.scoring import score_events, score_or_reject, understand
from streams.sentiment import SentimentEngine
from streams.taxonomy import default_taxonomy

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class FixedEngine(SentimentEngine):
    """Scores from a table (texts not in it are neutral); counts its calls."""

    name = "fixed"

    def __init__(self, scores: dict[str, float] | None = None, fail_on: str = "") -> None:
        self.scores = scores or {}
        self.fail_on = fail_on
        self.calls = 0

    def score_batch(self, texts: Sequence[str]) -> list[float]:
        self.calls += 1
        if self.fail_on and any(self.fail_on in t for t in texts):
            raise RuntimeError("engine broke")
        return [self.scores.get(t, 0.5) for t in texts]


def event_factory(external_id: str, text: str, **fields: Any) -> FeedbackEvent:
    values: dict[str, Any] = {
        "channel": "review",
        "source": "test",
        "created_at": NOW,
        "ingested_at": NOW,
    }
    values.update(fields)
    return FeedbackEvent(
        id=make_event_id(values["channel"], values["source"], external_id),
        external_id=external_id,
        text=text,
        **values,
    )


class TestScoreEvents:
    def test_every_field_of_the_contract_is_filled(self) -> None:
        text = "快递太慢，收到还破损了，我要投诉"
        [scored] = score_events([event_factory("1", text)], FixedEngine({text: 0.1}), NOW)
        assert scored.sentiment == 0.1 and scored.sentiment_label == "neg"
        assert {"物流配送", "商品质量"} <= set(scored.topics)
        assert scored.stage == "aftersale"
        assert scored.department == "品控部"
        assert scored.is_complaint is True and scored.severity == 1
        assert scored.lang == "zh" and scored.engine == "fixed" and scored.scored_at == NOW
        # what goes on the topic parses back under the contract
        assert parse_model(ScoredEvent, scored.to_json()) == scored

    def test_repeated_ids_in_a_batch_are_scored_once(self) -> None:
        first = event_factory("1", "好")
        again = event_factory("1", "好")
        other = event_factory("2", "差")
        engine = FixedEngine()
        scored = score_events([first, other, again], engine, NOW)
        assert [s.external_id for s in scored] == ["1", "2"]

    def test_crisis_terms_and_reach_raise_severity(self) -> None:
        text = "充电宝爆炸了，孩子受伤，我要曝光"
        [scored] = score_events([event_factory("1", text, reach=50_000)], FixedEngine(), NOW)
        assert scored.severity == 3
        assert scored.department == "危机公关组"
        assert {"爆炸", "受伤", "曝光"} <= set(scored.crisis_terms)

    @pytest.mark.parametrize(
        "text",
        ["用了三个月了，没有漏电，很放心", "没有任何刺激，不会过敏", "说会爆炸的都是谣言，好用"],
    )
    def test_a_denied_crisis_word_pages_nobody(self, text: str) -> None:
        [scored] = score_events([event_factory("1", text, rating=5)], FixedEngine({text: 0.9}), NOW)
        assert scored.severity == 0 and scored.crisis_terms == []
        assert scored.is_complaint is False and scored.department != "危机公关组"

    @pytest.mark.parametrize(
        ("text", "terms"),
        [
            ("全家拉肚子，已经去医院了", ["拉肚子", "去医院"]),
            ("奶粉里面有虫子", ["虫子"]),
            ("吃出了玻璃渣", ["玻璃渣"]),
            ("一插上就冒火花", ["冒火花"]),
        ],
    )
    def test_symptoms_and_contaminants_page_on_call(self, text: str, terms: list[str]) -> None:
        [scored] = score_events([event_factory("1", text)], FixedEngine(), NOW)
        assert scored.severity == 3 and scored.crisis_terms == terms
        assert scored.department == "危机公关组" and scored.is_complaint is True

    def test_a_title_is_judged_with_the_text(self) -> None:
        event = event_factory("1", "插上就起火了", title="没有漏电")
        [scored] = score_events([event], FixedEngine(), NOW)
        assert scored.crisis_terms == ["起火"]

    def test_the_keyword_only_matcher_stays_reachable(self) -> None:
        event = event_factory("1", "用了三个月了，没有漏电，很放心", rating=5)
        assert understand(event, 0.9, default_taxonomy(), keyword_only=True)["severity"] == 3
        assert understand(event, 0.9, default_taxonomy())["severity"] == 0

    def test_the_source_language_is_kept(self) -> None:
        [scored] = score_events([event_factory("1", "hello", lang="fr")], FixedEngine(), NOW)
        assert scored.lang == "fr"

    def test_a_batch_that_fails_is_retried_one_by_one(self) -> None:
        events = [event_factory("1", "好"), event_factory("2", "poison"), event_factory("3", "差")]
        scored, letters = score_or_reject(events, FixedEngine(fail_on="poison"), NOW)
        assert [s.external_id for s in scored] == ["1", "3"]
        assert [letter.reason for letter in letters] == ["scoring_failed"]


class TestComplaint:
    @pytest.mark.parametrize(
        ("fields", "label", "expected"),
        [
            ({"rating": 1}, "pos", True),
            ({"csat": 2}, "neu", True),
            ({"nps": 2}, "neu", True),
            ({"rating": 5}, "neg", False),  # a happy rating outweighs a gloomy-sounding text
            ({}, "neg", True),
            ({}, "pos", False),
            ({"is_staff_reply": True, "rating": 1}, "neg", False),
        ],
    )
    def test_scores_and_sentiment(self, fields: dict[str, Any], label: str, expected: bool) -> None:
        event = event_factory("1", "一般般", **fields)
        assert is_complaint(event, label, default_taxonomy()) is expected

    def test_a_negated_complaint_word_is_no_complaint(self) -> None:
        event = event_factory("1", "没有差评的理由，下次还来")
        assert is_complaint(event, "pos", default_taxonomy()) is False

    def test_complaint_words_win_over_a_positive_score(self) -> None:
        event = event_factory("1", "我要投诉你们，给个说法", rating=4)
        assert is_complaint(event, "pos", default_taxonomy()) is True


def test_a_subject_that_says_complaint_makes_the_mail_a_complaint() -> None:
    mail = event_factory(
        "m1", "订单号在下面，麻烦看一下。", channel="email", title="投诉：发票开错了"
    )
    plain = event_factory("m2", "订单号在下面，麻烦看一下。", channel="email", title="咨询：发票")
    taxonomy = default_taxonomy()
    assert understand(mail, 0.6, taxonomy)["is_complaint"] is True
    assert understand(plain, 0.6, taxonomy)["is_complaint"] is False
