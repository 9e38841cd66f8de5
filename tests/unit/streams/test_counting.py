"""Counting per partition: exactly once per id, across replays, duplicates and late events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from radar.events import ScoredEvent, make_event_id
from streams.counting import Delivery, PartitionCounter, cell_key
from streams.windows import window_start

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def scored(n: int, minutes: float = 0, **fields: Any) -> ScoredEvent:
    values: dict[str, Any] = {
        "channel": "review",
        "source": "s",
        "text": "快递太慢",
        "created_at": T0 + timedelta(minutes=minutes),
        "ingested_at": T0,
        "sentiment": 0.1,
        "sentiment_label": "neg",
        "topics": ["物流配送"],
        "is_complaint": True,
        "scored_at": T0,
    }
    values.update(fields)
    return ScoredEvent(id=make_event_id("review", "s", str(n)), external_id=str(n), **values)


def overall(counter: PartitionCounter, p: int = 0, minutes: float = 0) -> int:
    start = window_start(int((T0 + timedelta(minutes=minutes)).timestamp() * 1000), 300)
    cell = counter.cells.get(cell_key(p, "5m", start, "overall"))
    return 0 if cell is None else int(cell["n"])


def test_counts_every_key_once() -> None:
    counter = PartitionCounter({}, {})
    outcome = counter.add_batch([Delivery(0, i, scored(i)) for i in range(3)])
    assert overall(counter) == 3
    dims = {key.split("|", 3)[3] for key in outcome.cells}
    assert dims == {"overall", "channel=review", "topic=物流配送"}


def test_a_duplicate_id_at_another_offset_is_skipped() -> None:
    counter = PartitionCounter({}, {})
    counter.add_batch([Delivery(0, 0, scored(1)), Delivery(0, 1, scored(1))])
    outcome = counter.add_batch([Delivery(0, 7, scored(1))])
    assert overall(counter) == 1 and outcome.duplicates == 1


def test_a_replay_after_a_crash_adds_nothing_twice() -> None:
    seen: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    counter = PartitionCounter(seen, cells)
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    # the crash lost the seen ids (their changelog records) but kept the cells
    seen.clear()
    restarted = PartitionCounter(seen, cells)
    restarted.add_batch([Delivery(0, i, scored(i)) for i in range(3, 8)])
    assert overall(restarted) == 8


def test_a_replay_that_lost_the_cells_counts_them_again_once() -> None:
    seen: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    counter = PartitionCounter(seen, cells)
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    cells.clear()  # the cells' records were lost, the seen ids survived
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    assert overall(counter) == 5


def test_late_events_within_the_lateness_land_in_their_window() -> None:
    counter = PartitionCounter({}, {}, lateness_s=600)
    counter.add_batch([Delivery(0, 0, scored(0, minutes=12))])
    outcome = counter.add_batch([Delivery(0, 1, scored(1, minutes=1))])
    assert overall(counter, minutes=1) == 1 and not outcome.too_late


def test_later_events_are_reported_not_counted() -> None:
    counter = PartitionCounter({}, {}, lateness_s=60)
    counter.add_batch([Delivery(0, 0, scored(0, minutes=30))])
    outcome = counter.add_batch([Delivery(0, 1, scored(1, minutes=1))])
    assert overall(counter, minutes=1) == 0
    assert [d.event.external_id for d in outcome.too_late] == ["1"]


def test_expire_forgets_old_windows_and_ids() -> None:
    counter = PartitionCounter({}, {}, lateness_s=60)
    counter.add_batch([Delivery(0, 0, scored(0))])
    counter.add_batch([Delivery(0, 1, scored(1, minutes=300))])
    assert counter.expire(0) > 0
    assert overall(counter) == 0 and overall(counter, minutes=300) == 1
