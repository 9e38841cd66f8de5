"""The event contract: stable ids, validation messages that name the field, dead letters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from radar.errors import ValidationFailed
from radar.events import (
    MAX_MESSAGE_CHARS,
    MAX_ORIGINAL_CHARS,
    DeadLetter,
    FeedbackEvent,
    ScoredEvent,
    Signal,
    deadletter_for,
    make_event_id,
    original_text,
    parse_model,
    parse_values,
    sentiment_label,
)

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def event_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": make_event_id("review", "shop-api", "r-1"),
        "channel": "review",
        "source": "shop-api",
        "external_id": "r-1",
        "text": "物流很快，质量不错",
        "created_at": "2026-11-20T10:00:00+08:00",
        "ingested_at": NOW.isoformat(),
    }
    data.update(overrides)
    return data


class TestIds:
    def test_same_source_item_same_id(self) -> None:
        assert make_event_id("review", "a", "1") == make_event_id("review", "a", "1")

    @pytest.mark.parametrize(
        "other", [("review", "a", "2"), ("review", "b", "1"), ("forum", "a", "1")]
    )
    def test_any_difference_another_id(self, other: tuple[str, str, str]) -> None:
        assert make_event_id("review", "a", "1") != make_event_id(*other)

    def test_separator_prevents_ambiguous_joins(self) -> None:
        assert make_event_id("review", "ab", "c") != make_event_id("review", "a", "bc")


class TestFeedbackEvent:
    def test_times_are_normalised_to_utc(self) -> None:
        event = parse_model(FeedbackEvent, event_data())
        assert event.created_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
        assert event.created_at.utcoffset() == timedelta(0)

    def test_json_round_trip_is_lossless(self) -> None:
        event = parse_model(FeedbackEvent, event_data(rating=4, attributes={"order_id": "o-9"}))
        assert parse_model(FeedbackEvent, event.to_json()) == event

    def test_naive_time_is_rejected_with_the_field_named(self) -> None:
        with pytest.raises(ValidationFailed) as info:
            parse_model(FeedbackEvent, event_data(created_at="2026-11-20 10:00:00"))
        assert info.value.field == "created_at"
        assert info.value.reason == "bad_timestamp"
        assert "created_at" in str(info.value)

    @pytest.mark.parametrize(
        ("field", "value", "reason"),
        [
            ("rating", 6, "invalid_value"),
            ("nps", -1, "invalid_value"),
            ("channel", "phone", "invalid_value"),
            ("reach", "many", "wrong_type"),
            ("reach", 2**70, "invalid_value"),  # would not fit the store's 64-bit column
            ("text", "x" * 50_001, "too_long"),
        ],
    )
    def test_bad_values_name_field_and_problem(
        self, field: str, value: object, reason: str
    ) -> None:
        with pytest.raises(ValidationFailed) as info:
            parse_model(FeedbackEvent, event_data(**{field: value}))
        assert info.value.field == field
        assert info.value.reason == reason
        assert f"field '{field}'" in str(info.value)

    def test_missing_field_is_named(self) -> None:
        data = event_data()
        del data["source"]
        with pytest.raises(ValidationFailed) as info:
            parse_model(FeedbackEvent, data)
        assert (info.value.reason, info.value.field) == ("missing_field", "source")

    def test_unknown_fields_are_refused(self) -> None:
        with pytest.raises(ValidationFailed) as info:
            parse_model(FeedbackEvent, event_data(mood="sad"))
        assert info.value.reason == "unknown_field"

    def test_empty_text_needs_a_score(self) -> None:
        with pytest.raises(ValidationFailed):
            parse_model(FeedbackEvent, event_data(text="  "))
        survey = parse_model(FeedbackEvent, event_data(text="", channel="survey", nps=3))
        assert survey.nps == 3

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [(b"\xff\xfe{", "bad_encoding"), (b"{not json", "bad_json"), (b"[1, 2]", "wrong_type")],
    )
    def test_unreadable_bytes(self, raw: bytes, reason: str) -> None:
        with pytest.raises(ValidationFailed) as info:
            parse_model(FeedbackEvent, raw)
        assert info.value.reason == reason


def test_scored_event_extends_feedback_event() -> None:
    event = parse_model(FeedbackEvent, event_data())
    scored = ScoredEvent(**event.model_dump(), sentiment=0.9, sentiment_label="pos", scored_at=NOW)
    payload = json.loads(scored.to_json())
    assert payload["sentiment"] == 0.9 and payload["topics"] == [] and payload["severity"] == 0
    with pytest.raises(ValidationFailed):
        parse_model(ScoredEvent, {**payload, "sentiment": 1.5})


@pytest.mark.parametrize(
    ("score", "label"), [(0.1, "neg"), (0.39, "neg"), (0.5, "neu"), (0.61, "pos")]
)
def test_sentiment_label_thresholds(score: float, label: str) -> None:
    assert sentiment_label(score) == label


class TestDeadLetters:
    def test_invalid_utf8_is_kept_byte_for_byte(self) -> None:
        raw = b'{"text": "\xe4\xb8"}'
        text, encoding = original_text(raw)
        assert encoding == "base64"
        import base64

        assert base64.b64decode(text) == raw

    def test_same_bad_input_same_id(self) -> None:
        error = ValidationFailed("field 'rating': too big", reason="invalid_value")
        first = deadletter_for({"rating": 9}, error, now=NOW, stage="ingest", locator="a.csv:3")
        again = deadletter_for(
            {"rating": 9}, error, now=NOW + timedelta(hours=1), stage="ingest", locator="a.csv:3"
        )
        elsewhere = deadletter_for({"rating": 9}, error, now=NOW, stage="ingest", locator="a.csv:4")
        assert first.id == again.id != elsewhere.id
        assert json.loads(first.original) == {"rating": 9}

    @pytest.mark.parametrize(
        "raw",
        [
            {"text": "电话13812345678，邮箱 zhang.san@163.com", "nested": ["卡号6222021234567894"]},
            '{"text": "电话13812345678", "id": 110101199003078515',
            b'{"text": "\xe7\x94\xb5\xe8\xaf\x9d13812345678\xff"}',
            '{"text": "\\u4e0013812345678"}',  # the escape's digits glued to the number
            {"身份证 110101199003078515": "key, not value"},
        ],
    )
    def test_personal_data_in_a_dead_letter_is_masked(self, raw: object) -> None:
        """A row that fails keeps no raw phone, email, ID or card: not on Kafka, not in the
        store, not on the health page."""
        error = ValidationFailed("field 'x': bad (got '13812345678')", reason="invalid_value")
        letter = deadletter_for(raw, error, now=NOW, stage="ingest", locator="a.jsonl:1")  # type: ignore[arg-type]
        stored = letter.to_json().decode()
        for secret in ("13812345678", "zhang.san@", "199003078", "6222021234567894"):
            assert secret not in stored
        assert letter.original_encoding == "utf-8"

    def test_bytes_that_are_not_utf8_show_as_escapes_not_base64(self) -> None:
        error = ValidationFailed("not UTF-8", reason="bad_encoding")
        letter = deadletter_for(b"\xff\xfe13812345678", error, now=NOW, stage="ingest")
        assert letter.original == "\\xff\\xfe138****5678"

    def test_a_huge_input_is_cut_and_fits_a_kafka_record(self) -> None:
        error = ValidationFailed("x" * 100_000, reason="too_long")
        for raw in ("差" * 1_000_000, "\x00" * 1_000_000, {"text": "\x01" * 1_000_000}):
            letter = deadletter_for(raw, error, now=NOW, stage="ingest", locator="L" * 10_000)
            assert len(letter.original) <= MAX_ORIGINAL_CHARS + 1
            assert len(letter.message) <= MAX_MESSAGE_CHARS + 1
            assert len(letter.to_json()) < 1_000_000  # kafka's default record limit is 1 MiB

    def test_locators_and_messages_lose_url_credentials(self) -> None:
        error = ValidationFailed(
            "https://u:pw@shop.example/r?access_token=s3cret: HTTP 500", reason="bad_feed"
        )
        letter = deadletter_for(
            "x", error, now=NOW, stage="ingest", locator="https://shop.example/r?token=s3cret#4"
        )
        assert "s3cret" not in letter.to_json().decode() and "pw@" not in letter.message

    def test_parse_values_splits_good_from_bad(self) -> None:
        good = parse_model(FeedbackEvent, event_data()).to_json()
        parsed, letters = parse_values(
            [good, b"{}", b"\xff"], FeedbackEvent, now=NOW, stage="worker"
        )
        assert len(parsed) == 1
        assert [letter.reason for letter in letters] == ["missing_field", "bad_encoding"]
        assert all(isinstance(letter, DeadLetter) for letter in letters)


class TestHugeIntegers:
    """Python reads no integer of over 4,300 digits from text: a reason, never a crash."""

    def test_in_json_text_it_is_bad_json(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            parse_model(FeedbackEvent, b'{"rating": ' + b"9" * 5000 + b"}")
        assert caught.value.reason == "bad_json" and "4300 digits" in str(caught.value)

    def test_in_a_dict_it_is_named_in_the_message(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            parse_model(FeedbackEvent, event_data(rating=10**5000))
        assert caught.value.field == "rating" and "an integer of" in str(caught.value)

    def test_a_worker_gets_a_dead_letter(self) -> None:
        parsed, letters = parse_values(
            [b'{"reach": ' + b"1" * 5000 + b"}"], FeedbackEvent, now=NOW, stage="worker"
        )
        assert parsed == [] and [letter.reason for letter in letters] == ["bad_json"]

    def test_a_dead_letter_of_a_row_holding_one_is_written(self) -> None:
        error = ValidationFailed("too big", reason="invalid_value")
        letter = deadletter_for({"reach": 10**5000}, error, now=NOW, stage="ingest")
        assert "an integer of" in json.loads(letter.original)["reach"]


def test_signal_keeps_at_most_five_samples() -> None:
    base = {
        "id": "s1",
        "type": "spike",
        "key": {"topic": "物流配送"},
        "window_start": NOW,
        "window_end": NOW + timedelta(minutes=5),
        "observed": 40,
        "expected": 6.5,
        "score": 0.97,
        "statistic": "poisson_tail",
        "detected_at": NOW,
    }
    sample = {"id": "e", "text": "快递三天没动"}
    assert len(Signal(**base, samples=[sample] * 5).samples) == 5
    with pytest.raises(ValueError, match="samples"):
        Signal(**base, samples=[sample] * 6)
    with pytest.raises(ValueError, match="timezone"):
        Signal(**{**base, "window_start": datetime(2026, 1, 1)})
    assert Signal(
        **{**base, "window_start": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))}
    )
