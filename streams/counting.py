"""Windowed counts, per source partition: dedupe by id, event-time windows, late events.

This stage runs where ``feedback.scored`` is consumed, one partition at a
time, on two tables (plain mutable mappings here; Faust tables in the worker):

* ``seen``: ``"{partition}|{event id}"`` → the offset the id was first counted at;
* ``cells``: ``"{partition}|{size}|{window start}|{key}"`` → the cell, whose
  ``marker`` is the last offset counted into it; ``"{partition}|wm"`` → the
  partition's watermark (latest event time seen).

Delivery is at-least-once. Offsets at or below a cell's marker are already in
it (the marker is written in the same table record as the counts), so a
replay after a crash adds nothing twice; an id seen at another offset is a
duplicate and is skipped. Counting is exact without Kafka transactions.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from radar.events import ScoredEvent
from streams.windows import SIZES, add_event, dimensions, event_millis, new_cell, window_start

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One record of ``feedback.scored`` as consumed: where it was, and the event."""

    partition: int
    offset: int
    event: ScoredEvent


@dataclass
class BatchOutcome:
    """What a batch changed: cells to publish, watermarks, and what was left out."""

    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    watermarks: dict[int, int] = field(default_factory=dict)
    counted: list[Delivery] = field(default_factory=list)
    duplicates: int = 0
    too_late: list[Delivery] = field(default_factory=list)


def cell_key(partition: int, size: str, start: int, dim: str) -> str:
    return f"{partition}|{size}|{start}|{dim}"


def parse_cell_key(key: str) -> tuple[int, str, int, str]:
    partition, size, start, dim = key.split("|", 3)
    return int(partition), size, int(start), dim


class PartitionCounter:
    """Counts scored events into per-partition window cells, exactly once per id."""

    def __init__(
        self,
        seen: MutableMapping[str, Any],
        cells: MutableMapping[str, Any],
        *,
        lateness_s: float = 300.0,
        retention_s: float | None = None,
    ) -> None:
        self.seen = seen
        self.cells = cells
        self.lateness_ms = int(lateness_s * 1000)
        longest = max(SIZES.values()) * 1000
        self.retention_ms = int(retention_s * 1000) if retention_s else longest + self.lateness_ms

    def watermark(self, partition: int) -> int | None:
        value = self.cells.get(f"{partition}|wm")
        return None if value is None else int(value["wm"])

    def add_batch(self, deliveries: Sequence[Delivery]) -> BatchOutcome:
        """Count a batch; table keys are written once per batch (one changelog record each)."""
        outcome = BatchOutcome()
        for delivery in deliveries:
            self._add(delivery, outcome)
        for key, cell in outcome.cells.items():
            self.cells[key] = cell
        for partition, wm in outcome.watermarks.items():
            self.cells[f"{partition}|wm"] = {"wm": wm}
        return outcome

    def _add(self, delivery: Delivery, outcome: BatchOutcome) -> None:
        p, offset, event = delivery.partition, delivery.offset, delivery.event
        seen_key = f"{p}|{event.id}"
        first = self.seen.get(seen_key)
        if first is not None and first[0] != offset:
            outcome.duplicates += 1
            return
        ts = event_millis(event)
        wm = outcome.watermarks.get(p, self.watermark(p))
        if wm is not None and self._closed(ts, wm):
            outcome.too_late.append(delivery)
            log.warning(
                "late event %s (created %s) is %.0fs behind partition %d: "
                "kept in the store, not in the live windows",
                event.id,
                event.created_at.isoformat(),
                (wm - ts) / 1000,
                p,
            )
            return
        if first is None:
            self.seen[seen_key] = [offset, ts]
        for size, size_s in SIZES.items():
            start = window_start(ts, size_s)
            for dim in dimensions(event):
                key = cell_key(p, size, start, dim)
                cell = outcome.cells.get(key)
                if cell is None:
                    stored = self.cells.get(key)
                    cell = _copy(stored) if stored is not None else {**new_cell(), "marker": -1}
                if offset <= cell["marker"]:
                    continue  # counted before a crash; its record survived
                add_event(cell, event)
                cell["marker"] = offset
                outcome.cells[key] = cell
        outcome.counted.append(delivery)
        outcome.watermarks[p] = max(ts, wm if wm is not None else ts)

    def _closed(self, ts: int, wm: int) -> bool:
        """Whether the smallest window holding ``ts`` closed: its end plus the lateness passed."""
        size_s = min(SIZES.values())
        return window_start(ts, size_s) + size_s * 1000 + self.lateness_ms <= wm

    def expire(self, partition: int) -> int:
        """Forget cells and seen ids of ``partition`` older than the retention; returns how many."""
        wm = self.watermark(partition)
        if wm is None:
            return 0
        horizon = wm - self.retention_ms
        prefix = f"{partition}|"
        old_cells = [
            k
            for k in list(self.cells)
            if k.startswith(prefix) and not k.endswith("|wm") and parse_cell_key(k)[2] < horizon
        ]
        old_ids = [k for k, v in list(self.seen.items()) if k.startswith(prefix) and v[1] < horizon]
        for key in old_cells:
            del self.cells[key]
        for key in old_ids:
            del self.seen[key]
        return len(old_cells) + len(old_ids)


def _copy(cell: dict[str, Any]) -> dict[str, Any]:
    copied = dict(cell)
    for name in ("topics", "crisis", "sources"):
        copied[name] = dict(cell[name])
    copied["samples"] = list(cell["samples"])
    return copied
