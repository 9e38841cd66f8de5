"""Hostile input through the ingest parsers: always an event or a dead letter with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.file_source import ingest_file
from ingest.files import parse_json_record, read_rows
from ingest.intake import to_record
from ingest.schemas import mention_fields, survey_fields
from radar.events import DeadLetter, FeedbackEvent
from tests.fuzz import fuzz_ingest
from tests.fuzz.hostile import (
    BYTES_SNIPPETS,
    PHONE,
    SNIPPETS,
    WRONG_VALUES,
    nested,
    normaliser,
    outcome,
    plant_phone,
)

#: examples carry 50,000-character texts on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

BOUNDED = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

hostile_text = st.one_of(
    st.sampled_from(SNIPPETS),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"])),
    st.lists(st.sampled_from(SNIPPETS), max_size=4).map("".join),
)
scalar = st.one_of(st.sampled_from(WRONG_VALUES), hostile_text, st.integers(), st.floats())
times = st.one_of(
    st.sampled_from(
        ["0001-01-01", "9999-12-31T23:59:59Z", "1969-12-31 23:59", "2026-11-20 10:00", ""]
    ),
    st.integers(-(2**70), 2**70),
    st.floats(),
    hostile_text,
)
record = st.fixed_dictionaries(
    {},
    optional={
        "id": scalar,
        "text": hostile_text,
        "title": hostile_text,
        "created_at": times,
        "rating": scalar,
        "nps": scalar,
        "author": scalar,
        "region": scalar,
        "is_staff_reply": scalar,
        "extra": st.one_of(scalar, st.just(json.loads(nested(20)))),
    },
)


class _Sink:
    """Stands in for the Kafka producer of ``ingest_file``: keeps what it was given."""

    def __init__(self) -> None:
        self.events: list[FeedbackEvent] = []
        self.letters: list[DeadLetter] = []
        self.pending = 0

    def send_event(self, event: FeedbackEvent) -> None:
        event.to_json()  # what the producer does: a value that cannot serialise fails here
        self.events.append(event)

    def send_deadletter(self, letter: DeadLetter) -> None:
        letter.to_json()
        self.letters.append(letter)

    def flush(self) -> None:
        self.pending = 0


class TestRecords:
    @BOUNDED
    @given(record)
    def test_any_record_becomes_an_event_or_a_reasoned_dead_letter(
        self, fields: dict[str, Any]
    ) -> None:
        outcome(normaliser(), fields, fields, None)

    @BOUNDED
    @given(hostile_text, hostile_text)
    def test_personal_data_in_hostile_text_is_masked(self, before: str, after: str) -> None:
        text = plant_phone(before + after)
        fields = {"id": "1", "text": text, "title": plant_phone(after[:900])}
        result = outcome(normaliser(), fields, fields, None)
        if result == "event":
            event = normaliser().build(fields)
            assert PHONE not in event.text and PHONE not in (event.title or "")

    @BOUNDED
    @given(st.lists(st.one_of(st.binary(max_size=60), st.sampled_from(BYTES_SNIPPETS)), max_size=4))
    def test_json_lines_of_any_bytes(self, parts: list[bytes]) -> None:
        data = b"".join(parts)
        row = parse_json_record(data, "x.jsonl:1")
        outcome(normaliser(), row.fields, row.raw, row.error)

    def test_huge_integers_are_a_dead_letter_not_a_crash(self) -> None:
        fields = {"id": "1", "text": "好", "rating": 10**400, "nps": -(10**30)}
        assert outcome(normaliser(), fields, fields, None) == "invalid_value"

    @pytest.mark.parametrize("digits", [4301, 5000, 100_000])
    def test_an_integer_python_will_not_read_is_bad_json_not_a_crash(self, digits: int) -> None:
        """json.loads raises a plain ValueError past 4,300 digits: it stopped file connectors
        in a crash loop and made push endpoints answer 500."""
        row = parse_json_record(
            b'{"id": "1", "text": "x", "rating": ' + b"7" * digits + b"}", "f:1"
        )
        assert row.error is not None and row.error.reason == "bad_json"
        assert outcome(normaliser(), row.fields, row.raw, row.error) == "bad_json"
        record = to_record(b'{"submission_id": ' + b"1" * digits + b"}", "push:1", survey_fields)
        assert record.error is not None and record.error.reason == "bad_json"

    def test_deep_nesting_is_refused(self) -> None:
        row = parse_json_record(nested(5000).encode(), "x.jsonl:1")
        assert row.error is not None and row.error.reason == "too_deep"


class TestFiles:
    @BOUNDED
    @given(
        st.lists(
            st.lists(st.one_of(hostile_text, st.sampled_from(['"', ",", "\n", '""'])), max_size=5),
            min_size=1,
            max_size=6,
        ),
        st.sampled_from(BYTES_SNIPPETS),
    )
    def test_csv_rows_of_any_shape(
        self, tmp_path_factory: Any, rows: list[list[str]], junk: bytes
    ) -> None:
        path = tmp_path_factory.mktemp("csv") / "hostile.csv"
        lines = [",".join(row) for row in [["id", "text", "created_at"], *rows]]
        data = "\n".join(lines).encode("utf-8", "surrogatepass")
        path.write_bytes(data[: len(data) // 2] + junk + data[len(data) // 2 :])
        for row in read_rows(path, "csv"):
            outcome(normaliser(), row.fields, row.raw, row.error, row.locator)

    def test_undecodable_header_does_not_stop_a_file(self, tmp_path: Path) -> None:
        """A header with bytes that are not UTF-8 names itself in the message of a short row's
        dead letter; that letter must still serialise, and the rows after it be read (here
        dead-lettered too: their column names are not UTF-8)."""
        path = tmp_path / "reviews.csv"
        path.write_bytes(b"id,text,ra\xed\xa0\x80ting\n1,short\n2,\xe5\xa5\xbd,5\n")
        sink = _Sink()
        summary = ingest_file(path, normaliser(), sink)  # type: ignore[arg-type]
        assert summary.rows == 2
        assert [d.reason for d in sink.letters] == ["bad_csv", "bad_encoding"]
        assert "\\udced" in sink.letters[0].message  # the bytes shown, not lost
        assert "ra\\xed\\xa0\\x80ting" in json.loads(sink.letters[1].original)  # bytes, readable

    def test_a_huge_rating_in_a_file_is_a_dead_letter(self, tmp_path: Path) -> None:
        path = tmp_path / "reviews.jsonl"
        rows = [{"id": "1", "text": "差", "rating": 10**400}, {"id": "2", "text": "好"}]
        path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        sink = _Sink()
        summary = ingest_file(path, normaliser(), sink)  # type: ignore[arg-type]
        assert summary.events == 1 and dict(summary.deadletters) == {"invalid_value": 1}


class TestPushPayloads:
    keys = (
        *("submission_id", "submitted_at", "csat", "nps", "comment", "answers"),
        *("id", "text", "created_at", "user", "followers", "reach", "region", "reposts_count"),
    )
    values = st.one_of(
        scalar, times, st.lists(scalar, max_size=3), st.dictionaries(hostile_text, scalar)
    )
    payload = st.dictionaries(st.sampled_from(keys), values)

    @BOUNDED
    @given(payload, st.sampled_from([(survey_fields, "survey"), (mention_fields, "social")]))
    def test_payloads_become_events_or_dead_letters(self, body: dict[str, Any], kind: Any) -> None:
        parse, channel = kind
        data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        record = to_record(data, "push:request:1", parse)
        outcome(normaliser(channel), record.fields, record.raw, record.error)


def test_a_bounded_fuzz_run_finds_nothing() -> None:
    counts = fuzz_ingest.run(1400, seed=20261120)
    assert set(counts) == set(fuzz_ingest.TARGETS)
    for name, outcomes in counts.items():
        if name != "masking":  # seeds still parse
            assert outcomes["event"] or any("event" in k for k in outcomes), name
        assert sum(outcomes.values()) == 200
