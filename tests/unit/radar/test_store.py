"""The store: idempotent writes by id, dead letters, heartbeats and the report (SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radar.clock import ManualClock
from radar.events import DeadLetter, Heartbeat, ScoredEvent, make_event_id
from radar.store import Store, make_engine
from radar.store.incidents import incidents

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def scored(
    n: int, channel: str = "review", complaint: bool = False, topics: list[str] | None = None
) -> ScoredEvent:
    return ScoredEvent(
        id=make_event_id(channel, "src", str(n)),
        channel=channel,  # type: ignore[arg-type]
        source="src",
        external_id=str(n),
        text=f"text {n}",
        created_at=T0 + timedelta(minutes=n),
        ingested_at=T0,
        sentiment=0.2 if complaint else 0.8,
        sentiment_label="neg" if complaint else "pos",
        is_complaint=complaint,
        topics=topics or [],
        scored_at=T0,
    )


def letter(n: int, reason: str) -> DeadLetter:
    return DeadLetter(id=f"dl{n}", reason=reason, message="bad", original="{}", created_at=T0)


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(make_engine(store_url), ManualClock(T0))
    s.create_schema()
    return s


def test_events_are_stored_once_by_id(store: Store) -> None:
    assert store.add_scored([scored(1), scored(2), scored(1)]) == 2
    assert store.add_scored([scored(2), scored(3)]) == 1
    assert store.report()["events"] == {"total": 3, "by_channel": {"review": 3}, "duplicates": 0}


def test_times_come_back_aware_and_equal(store: Store) -> None:
    store.add_scored([scored(7)])
    from sqlalchemy import select

    from radar.store.tables import events

    with store.engine.connect() as conn:
        created = conn.scalar(select(events.c.created_at))
    assert created == T0 + timedelta(minutes=7)
    assert created.tzinfo is not None


def test_report_counts_complaints_letters_and_open_incidents(store: Store) -> None:
    copy = scored(4, complaint=True).model_copy(update={"duplicate_of": scored(1).id})
    store.add_scored([scored(1, complaint=True), scored(2, "forum", complaint=True), scored(3)])
    store.add_scored([copy])  # the same complaint again: stored, counted once
    store.add_deadletters(
        [letter(1, "bad_json"), letter(2, "bad_json"), letter(3, "missing_field")]
    )
    store.add_deadletters([letter(1, "bad_json")])
    with store.engine.begin() as conn:
        for n, status in enumerate(["open", "acknowledged", "resolved"]):
            conn.execute(
                incidents.insert().values(
                    id=f"i{n}", type="spike", title="t", status=status, opened_at=T0, updated_at=T0
                )
            )
    report = store.report()
    assert report == {
        "events": {"total": 4, "by_channel": {"forum": 1, "review": 3}, "duplicates": 1},
        "complaints": 2,
        "deadletter": {"total": 3, "by_reason": {"bad_json": 2, "missing_field": 1}},
        "incidents": {"open": 2},
    }


def test_topics_are_indexed_per_event(store: Store) -> None:
    store.add_scored([scored(1, topics=["物流配送", "客服态度"]), scored(1, topics=["物流配送"])])
    from sqlalchemy import func, select

    from radar.store.tables import event_topics

    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(event_topics)) == 2


def test_heartbeat_keeps_the_latest_per_source(store: Store) -> None:
    store.record_heartbeat(Heartbeat(source="imap", channel="email", at=T0, records_total=5))
    store.record_heartbeat(
        Heartbeat(
            source="imap",
            channel="email",
            at=T0 + timedelta(minutes=1),
            records_total=9,
            status="degraded",
        )
    )
    from sqlalchemy import select

    from radar.store.tables import heartbeats

    with store.engine.connect() as conn:
        rows = conn.execute(select(heartbeats.c.records_total, heartbeats.c.status)).all()
    assert rows == [(9, "degraded")]


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'radar.db'}"))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_postgresql_engine_gives_up_connecting_in_bounded_time() -> None:
    """A server that accepts the connection and never answers: the connect fails after the
    timeout (here one given in the URL, which stays) instead of the TCP timeout."""
    import socket
    import time
    from typing import Any

    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    from radar.store.db import CONNECT_TIMEOUT_S

    engine = make_engine("postgresql+psycopg://radar@127.0.0.1:1/radar")  # nothing listens
    assert engine.pool._pre_ping  # type: ignore[attr-defined]
    seen: dict[str, Any] = {}
    event.listen(engine, "do_connect", lambda _d, _r, _a, params: seen.update(params))
    with pytest.raises(OperationalError):
        engine.connect()
    assert seen["connect_timeout"] == CONNECT_TIMEOUT_S == 10
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        short = make_engine(f"postgresql+psycopg://radar@127.0.0.1:{port}/radar?connect_timeout=2")
        start = time.monotonic()
        with pytest.raises(OperationalError):
            short.connect()
        assert 1.5 < time.monotonic() - start < 6


def test_workers_creating_the_schema_at_once_all_succeed(store_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    stores = [Store(make_engine(store_url)) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda s: s.create_schema(), stores))
    assert stores[0].report()["events"]["total"] == 0


def test_a_signals_older_state_redelivered_later_does_not_undo_the_newer(store: Store) -> None:
    from radar.events import Signal
    from radar.store.signals import load_signals, record_signals

    def state(status: str, minutes: int) -> Signal:
        return Signal(
            id="spike-1",
            type="spike",
            key={"topic": "物流配送"},
            status=status,  # type: ignore[arg-type]
            window_start=T0 + timedelta(minutes=minutes - 5),
            window_end=T0 + timedelta(minutes=minutes),
            observed=3 if status == "resolved" else 40,
            expected=4,
            score=0.9,
            statistic="poisson_tail",
            detected_at=T0 + timedelta(minutes=minutes),
        )

    record_signals(store, [state("firing", 5)])
    record_signals(store, [state("resolved", 30)])
    record_signals(store, [state("firing", 5)])  # a replay after a crash sends it again
    [stored] = load_signals(store, "spike")
    assert stored["status"] == "resolved" and stored["observed"] == 3
    record_signals(store, [state("firing", 35)])  # a new window of the same episode is newer
    assert load_signals(store, "spike")[0]["status"] == "firing"


def test_a_batch_with_copies_inside_and_of_stored_rows_stores_each_id_once(store: Store) -> None:
    """One INSERT ... ON CONFLICT DO NOTHING per batch (arrays on PostgreSQL, multi-row VALUES on
    SQLite): copies inside the batch and of stored rows are skipped, the first delivery wins."""
    from sqlalchemy import func, select

    from radar.store.tables import event_topics, events

    first = [scored(n, topics=["物流配送", "客服态度"]) for n in range(1200)]  # over one page
    assert store.add_scored(first[:600]) == 600
    again = scored(5, complaint=True)  # a copy of a stored event: the stored one stays
    later = scored(1500).model_copy(update={"text": "first delivery"})
    batch = [*first, again, later, later.model_copy(update={"text": "second delivery"})]
    assert store.add_scored(batch) == 601
    assert store.add_scored(batch) == 0
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == 1201
        assert conn.scalar(select(func.count(func.distinct(events.c.id)))) == 1201
        assert conn.scalar(select(func.count()).select_from(event_topics)) == 2 * 1200
        assert conn.scalar(select(events.c.text).where(events.c.id == later.id)) == (
            "first delivery"
        )
        assert conn.scalar(select(events.c.is_complaint).where(events.c.id == again.id)) is False


def test_a_stored_event_comes_back_as_it_was_sent(store: Store) -> None:
    from sqlalchemy import select

    from radar.store.tables import events

    event = scored(3, complaint=True, topics=["物流配送"]).model_copy(
        update={
            "attributes": {"订单": "A-1", "n": 2},
            "crisis_terms": ["投诉"],
            "rating": 1,
            "product": "耳机",
            "title": None,
            "severity": 2,
        }
    )
    assert store.add_scored([event]) == 1
    with store.engine.connect() as conn:
        row = conn.execute(select(events)).one()._mapping
    sent = event.model_dump()
    assert {k: row[k] for k in sent} == sent
    assert row["stored_at"] == T0


def test_dead_letters_with_copies_inside_and_of_stored_ones_are_stored_once(store: Store) -> None:
    assert store.add_deadletters([letter(1, "bad_json"), letter(2, "bad_json")]) == 2
    batch = [letter(1, "bad_json"), letter(3, "missing_field"), letter(3, "missing_field")]
    assert store.add_deadletters(batch) == 1
    assert store.report()["deadletter"] == {
        "total": 3,
        "by_reason": {"bad_json": 2, "missing_field": 1},
    }


def test_insert_new_returns_the_keys_of_the_rows_it_inserted(store: Store) -> None:
    from radar.store import insert_new
    from radar.store.tables import event_topics

    def row(event: int, topic: str) -> dict[str, object]:
        return {"event_id": f"e{event}", "topic": topic, "created_at": T0, "is_complaint": True}

    with store.engine.begin() as conn:
        assert insert_new(conn, event_topics, []) == []
        assert sorted(insert_new(conn, event_topics, [row(1, "a"), row(1, "b")])) == [
            ("e1", "a"),
            ("e1", "b"),
        ]
        assert insert_new(conn, event_topics, [row(1, "a"), row(2, "a"), row(2, "a")]) == [
            ("e2", "a")
        ]


def test_a_value_too_long_for_its_column_is_refused_not_cut(store: Store) -> None:
    """PostgreSQL checks lengths (SQLite does not): the sink dead-letters such an event."""
    from sqlalchemy.exc import DataError

    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps text of any length")
    too_long = scored(1).model_copy(update={"source": "s" * 201})
    with pytest.raises(DataError):
        store.add_scored([scored(2), too_long])
    with pytest.raises(DataError):  # nor is a number too large for its column wrapped
        store.add_scored([scored(2), scored(3).model_copy(update={"reach": 2**40})])
    assert store.report()["events"]["total"] == 0
    assert store.add_scored([scored(2), too_long.model_copy(update={"source": "s" * 200})]) == 2
