"""Counting per partition: exactly once per id, across replays, duplicates and late events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from radar.events import ScoredEvent, make_event_id
from streams.counting import (
    HOLD_S,
    Delivery,
    MemoryClaims,
    PartitionCounter,
    cell_key,
    parse_cell_key,
    progress_key,
)
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
    counter = PartitionCounter({})
    outcome = counter.add_batch([Delivery(0, i, scored(i)) for i in range(3)])
    assert overall(counter) == 3
    dims = {key.split("|", 3)[3] for key in outcome.cells}
    assert dims == {"overall", "channel=review", "topic=物流配送"}
    assert outcome.progress == {0: {"wm": int(T0.timestamp() * 1000), "next": 3}}


def test_a_duplicate_id_at_another_offset_is_skipped() -> None:
    counter = PartitionCounter({})
    counter.add_batch([Delivery(0, 0, scored(1)), Delivery(0, 1, scored(1))])
    outcome = counter.add_batch([Delivery(0, 7, scored(1))])
    assert overall(counter) == 1 and outcome.duplicates == 1


def test_a_record_delivered_again_adds_nothing() -> None:
    counter = PartitionCounter({})
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    outcome = counter.add_batch([Delivery(0, i, scored(i)) for i in range(3, 8)])
    assert overall(counter) == 8
    # what was processed before is published again, unchanged, in case the crash cut it off
    assert [d.offset for d in outcome.replayed] == [3, 4]
    assert outcome.published.keys() >= outcome.cells.keys()


def test_a_crash_that_lost_the_progress_but_kept_the_cells_adds_nothing_twice() -> None:
    cells: dict[str, Any] = {}
    claims = MemoryClaims()
    counter = PartitionCounter(cells, claims)
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    del cells[progress_key(0)]  # written last: the crash came just before it
    restarted = PartitionCounter(cells, claims)
    outcome = restarted.add_batch([Delivery(0, i, scored(i)) for i in range(3, 8)])
    assert overall(restarted) == 8
    assert {d.offset for d in outcome.counted} == {3, 4, 5, 6, 7}  # 3, 4 add to no cell twice
    assert outcome.republish  # the cells that already held 3 and 4


def test_a_crash_that_lost_the_cells_counts_them_again_once() -> None:
    cells: dict[str, Any] = {}
    claims = MemoryClaims()
    counter = PartitionCounter(cells, claims)
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    cells.clear()  # nothing of the batch reached the changelog; the claims (in the store) did
    counter.add_batch([Delivery(0, i, scored(i)) for i in range(5)])
    assert overall(counter) == 5


def test_the_claims_of_another_worker_decide_who_counts() -> None:
    claims = MemoryClaims()
    first, second = PartitionCounter({}, claims), PartitionCounter({}, claims)
    first.add_batch([Delivery(0, 0, scored(1))])
    outcome = second.add_batch([Delivery(0, 9, scored(1))])  # the same id, re-sent
    assert outcome.duplicates == 1 and overall(second) == 0


def test_an_unreadable_record_moves_progress_only() -> None:
    counter = PartitionCounter({})
    outcome = counter.add_batch([Delivery(2, 0, None), Delivery(2, 1, scored(1))])
    assert outcome.progress[2]["next"] == 2 and overall(counter, p=2) == 1


def test_late_events_within_the_lateness_land_in_their_window() -> None:
    counter = PartitionCounter({}, lateness_s=600)
    counter.add_batch([Delivery(0, 0, scored(0, minutes=12))])
    outcome = counter.add_batch([Delivery(0, 1, scored(1, minutes=1))])
    assert overall(counter, minutes=1) == 1 and not outcome.too_late


def test_later_events_are_reported_not_counted() -> None:
    counter = PartitionCounter({}, lateness_s=60)
    counter.add_batch([Delivery(0, 0, scored(0, minutes=30))])
    outcome = counter.add_batch([Delivery(0, 1, scored(1, minutes=1))])
    assert overall(counter, minutes=1) == 0
    assert [d.event.external_id for d in outcome.too_late if d.event] == ["1"]


def test_lateness_depends_on_the_records_before_not_on_the_batching() -> None:
    events = [scored(0, minutes=0), scored(1, minutes=30), scored(2, minutes=1)]
    one = PartitionCounter({}, lateness_s=60)
    one.add_batch([Delivery(0, i, e) for i, e in enumerate(events)])
    split = PartitionCounter({}, lateness_s=60)
    for i, e in enumerate(events):
        split.add_batch([Delivery(0, i, e)])
    assert one.cells == split.cells
    assert overall(one, minutes=1) == 1  # only the first: the third came 29 minutes late


def test_expire_forgets_old_windows_and_claims() -> None:
    claims = MemoryClaims()
    wall = [0.0]
    counter = PartitionCounter({}, claims, lateness_s=60, wall=lambda: wall[0])
    counter.add_batch([Delivery(0, 0, scored(0))])
    counter.add_batch([Delivery(0, 1, scored(1, minutes=300))])
    assert counter.expire(0) == 0  # old, but changed a moment ago: its batch may replay
    wall[0] += HOLD_S
    assert counter.expire(0) > 0
    assert overall(counter) == 0 and overall(counter, minutes=300) == 1
    horizon = counter.claim_horizon(0)
    assert horizon is not None and claims.expire(0, horizon) == 1
    assert set(claims.owners) == {scored(1).id}


def test_a_takeover_resends_every_cell_kept() -> None:
    counter = PartitionCounter({}, lateness_s=60)
    counter.add_batch([Delivery(0, 0, scored(0)), Delivery(0, 1, scored(1, minutes=300))])
    counter.add_batch([Delivery(1, 0, scored(2))])
    cells = counter.open_cells(0)
    assert {parse_cell_key(k)[0] for k in cells} == {0}
    assert len(cells) == 12  # 3 keys x 2 sizes x 2 windows, old ones too


def test_expiry_runs_once_event_time_moved_a_window_on_or_the_hold_passed() -> None:
    wall = [0.0]
    counter = PartitionCounter({}, lateness_s=60, wall=lambda: wall[0])
    counter.add_batch([Delivery(0, 0, scored(0))])
    assert counter.due_for_expiry(0)
    counter.expire(0)
    counter.add_batch([Delivery(0, 1, scored(1, minutes=2))])
    assert not counter.due_for_expiry(0)
    wall[0] += HOLD_S
    assert counter.due_for_expiry(0)
    counter.expire(0)
    counter.add_batch([Delivery(0, 2, scored(2, minutes=8))])
    assert counter.due_for_expiry(0)
