"""The sink: a record the database cannot hold becomes a dead letter; an absent store is retried."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from radar.clock import ManualClock
from radar.events import ScoredEvent, make_event_id
from radar.store import Store
from radar.store.db import make_engine
from radar.store.tables import deadletters, events
from streams.sink import StoreSink

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def scored(n: int) -> ScoredEvent:
    return ScoredEvent(
        id=make_event_id("review", "shop", str(n)),
        channel="review",
        source="shop",
        external_id=str(n),
        text=f"第{n}条评价",
        created_at=T0,
        ingested_at=T0,
        scored_at=T0,
        sentiment=0.5,
        sentiment_label="neu",
    )


class PoisonedStore(Store):
    """A real SQLite store that cannot hold one event (as a value too large for its column)."""

    def __init__(self, path: Path, poisoned: str, error: Exception) -> None:
        super().__init__(make_engine(f"sqlite:///{path}"))
        self.create_schema()
        self.poisoned, self.error = poisoned, error

    def add_scored(self, batch: Any) -> int:
        if any(e.id == self.poisoned for e in batch):
            raise self.error
        return super().add_scored(batch)


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_an_event_the_store_cannot_hold_is_dead_lettered_and_the_rest_stored(
    tmp_path: Path,
) -> None:
    batch = [scored(n) for n in range(5)]
    store = PoisonedStore(tmp_path / "radar.db", batch[2].id, OverflowError("int too large"))
    result = StoreSink(store, ManualClock(T0)).write_scored([e.to_json() for e in batch])
    assert (result.stored, result.rejected) == (4, 1)
    assert count(store, events) == 4
    with store.engine.connect() as conn:
        letter = conn.execute(select(deadletters)).one()
    assert letter.reason == "unstorable" and letter.stage == "sink"
    assert batch[2].id in letter.original and "int too large" in letter.message


def test_a_store_that_is_away_is_not_mistaken_for_bad_data(tmp_path: Path) -> None:
    batch = [scored(n) for n in range(3)]
    away = OperationalError("INSERT ...", {}, Exception("database is locked"))
    store = PoisonedStore(tmp_path / "radar.db", batch[0].id, away)
    with pytest.raises(OperationalError):  # the sink agent retries the whole batch
        StoreSink(store, ManualClock(T0)).write_scored([e.to_json() for e in batch])
    assert count(store, deadletters) == 0
