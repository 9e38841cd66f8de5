"""Hostile records through the worker: parse, score (fast engine) and store, without injection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from radar.events import FeedbackEvent, ScoredEvent, make_event_id, parse_values
from radar.store import Store, make_engine
from radar.store.tables import deadletters, events
from streams.scoring import score_or_reject
from streams.sentiment.fast import FastEngine
from streams.sink import StoreSink
from tests.fuzz.hostile import BYTES_SNIPPETS, NOW, SNIPPETS, WRONG_VALUES, check_deadletter

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

BOUNDED = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SQL = st.sampled_from(
    [
        "'; DROP TABLE events; --",
        "x'); DELETE FROM events; --",
        '" OR "1"="1',
        "1; UPDATE events SET text='pwned'",
        "\\'; ATTACH DATABASE '/tmp/x' AS x; --",
        "%' OR text LIKE '%",
    ]
)
hostile_text = st.one_of(
    SQL,
    st.sampled_from(SNIPPETS),
    st.text(max_size=60),
    st.tuples(st.text(max_size=10), SQL, st.sampled_from(SNIPPETS)).map("".join),
)
times = st.one_of(
    st.sampled_from(
        ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z", "2026-11-20T10:00:00", "x"]
    ),
    st.integers(-(2**70), 2**70),
    st.datetimes().map(lambda d: d.isoformat()),
)
junk = st.one_of(st.sampled_from(WRONG_VALUES), hostile_text)


@st.composite
def raw_values(draw: st.DrawFn) -> bytes:
    """A ``feedback.raw`` value: mostly event-shaped, with hostile or wrong-typed fields."""
    external = draw(st.text(min_size=1, max_size=20))
    record: dict[str, Any] = {
        "id": make_event_id("review", "hostile", external),
        "channel": draw(st.sampled_from(["review", "chat", "fax"])),
        "source": "hostile",
        "external_id": external,
        "text": draw(hostile_text),
        "created_at": draw(times),
        "ingested_at": NOW.isoformat(),
    }
    for name in draw(st.lists(st.sampled_from(["rating", "title", "reach", "attributes"]))):
        record[name] = draw(junk)
    if draw(st.booleans()):
        record.pop(draw(st.sampled_from(sorted(record))))
    data = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BYTES_SNIPPETS)) + data[at:]
    return data


@pytest.fixture(scope="module")
def engine() -> FastEngine:
    return FastEngine(cache_dir=ROOT / ".cache" / "models")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("hostile") / "radar.db"
    store = Store(make_engine(f"sqlite:///{path}"))
    store.create_schema()
    yield store
    store.engine.dispose()


@BOUNDED
@given(values=st.lists(raw_values(), min_size=1, max_size=4))
def test_hostile_records_are_scored_and_stored_as_data(
    values: list[bytes], engine: FastEngine, store: Store
) -> None:
    parsed, letters = parse_values(values, FeedbackEvent, now=NOW, stage="worker")
    assert len(parsed) + len(letters) == len(values)
    for letter in letters:
        check_deadletter(letter, letter.reason)
    scored, failed = score_or_reject(parsed, engine, NOW)
    for item in scored:  # built without validation on the hot path: it must still be valid
        assert ScoredEvent.model_validate(item.model_dump()) == item
    assert len(scored) + len(failed) == len({e.id for e in parsed})  # one outcome per id

    with store.engine.connect() as conn:  # the store is shared by all examples
        before = conn.scalar(select(func.count()).select_from(events))
        known = set(conn.scalars(select(events.c.id)))
    sink = StoreSink(store)
    result = sink.write_scored([e.to_json() for e in scored])
    assert result.rejected == 0
    new = [e for e in scored if e.id not in known]
    assert result.stored == len(new)  # an id seen before keeps its first text
    sink.write_deadletters([d.to_json() for d in [*letters, *failed]])
    with store.engine.connect() as conn:
        for item in new:  # stored text is the input text, as data
            row = conn.execute(
                select(events.c.text, events.c.title).where(events.c.id == item.id)
            ).one()
            assert (row.text, row.title) == (item.text, item.title)
        for letter in letters:
            original = conn.scalar(
                select(deadletters.c.original).where(deadletters.c.id == letter.id)
            )
            assert original == letter.original
        tables = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
        assert {"events", "deadletters"} <= tables
        count = conn.scalar(select(func.count()).select_from(events))
    assert count == before + len(new)


def test_sql_like_text_round_trips_and_every_row_stays(engine: FastEngine, store: Store) -> None:
    texts = ["'; DROP TABLE events; --", "a'); DELETE FROM events WHERE ('1'='1", "\x00ok"]
    raw = [
        FeedbackEvent(
            id=make_event_id("review", "sql", str(n)),
            channel="review",
            source="sql",
            external_id=str(n),
            text=t,
            created_at=NOW,
            ingested_at=NOW,
        ).to_json()
        for n, t in enumerate(texts)
    ]
    parsed, _ = parse_values(raw, FeedbackEvent, now=NOW, stage="worker")
    scored, _ = score_or_reject(parsed, engine, NOW)
    with store.engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(events))
    assert StoreSink(store).write_scored([e.to_json() for e in scored]).stored == 3
    with store.engine.connect() as conn:
        after = conn.scalar(select(func.count()).select_from(events))
        stored = dict(
            conn.execute(
                select(events.c.external_id, events.c.text).where(events.c.source == "sql")
            ).all()
        )
    assert after == before + 3
    assert stored == {str(n): t for n, t in enumerate(texts)}


def test_unreadable_topic_values_become_sink_dead_letters(store: Store) -> None:
    lone = {"id": "x" * 8, "channel": "review", "source": "s", "external_id": "1", "text": "\ud800"}
    values = [b"\xff\xfe", b"[1,2]", b'{"id": 1}', b"{" * 3000, json.dumps(lone).encode()]
    result = StoreSink(store).write_scored(values)
    assert result.stored == 0 and result.rejected == len(values)
    _, letters = parse_values(values, ScoredEvent, now=NOW, stage="sink")
    reasons = [d.reason for d in letters]
    assert reasons == ["bad_encoding", "wrong_type", "wrong_type", "bad_json", "invalid_value"]
    for letter in letters:
        check_deadletter(letter, letter.reason)
