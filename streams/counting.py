"""Windowed counts, per source partition: exactly once per id, event-time windows, late events.

This stage runs where ``feedback.scored`` is consumed, one partition at a
time, on one table (a plain mutable mapping here; a Faust table in the worker):

* ``"{partition}|{size}|{window start}|{key}"`` → the cell, whose ``marker``
  is the last offset counted into it;
* ``"{partition}|wm"`` → the partition's progress: ``wm``, the latest event
  time of the records before ``next``, the first offset not yet processed.

Delivery is at-least-once. Each batch writes its cells first and the
progress record last, on one changelog partition, so a surviving progress
record means its cells survived: after a crash, offsets below ``next`` are
skipped, and offsets at or below a cell's marker add nothing to that cell.

Duplicates at other offsets (re-ingest, a re-sent scored record) are found by
*claims*: the first record of an id claims it (in the store, on disk, see
``radar.store.claims``) and only the claiming record is counted. Whether an
event is too late depends only on the records before it in its partition,
so a replay decides exactly as the first run did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from radar.events import ScoredEvent
from radar.store import Store
from radar.store.claims import Claim, claim_events, expire_claims
from streams.phrases import PhraseCounter, add_terms
from streams.state import KeyFamily
from streams.windows import (
    DEFAULT_COMBINATIONS,
    FIELD_SEP,
    OVERALL,
    SIZES,
    add_event,
    by_pairs,
    dimensions,
    event_millis,
    event_values,
    new_cell,
    window_start,
)

log = logging.getLogger(__name__)
#: Single-field keys never judged for spikes or shifts (``streams.detection.SPIKE_KINDS``):
#: their cells need no counts by value (``streams.drivers``).
UNJUDGED = ("channel=", "region=")
#: The window whose cells count complaints and negatives by value (``streams.drivers``).
BY_WINDOW = "5m"
#: The window the terms of complaints are counted in (``streams.phrases``).
PHRASE_WINDOW = "1h"

#: Wall seconds a changed cell is kept at least (well past the commit of its batch).
HOLD_S = 60.0


class Claims(Protocol):
    """Who counts an id: the first record that claims it (``radar.store.claims`` in the worker)."""

    def claim(self, claims: Sequence[Claim]) -> dict[str, tuple[int, int]]: ...

    def expire(self, partition: int, before_ms: int) -> int: ...


class MemoryClaims:
    """Claims in a dict: for tests and for counting a replay in one process."""

    def __init__(self) -> None:
        self.owners: dict[str, tuple[int, int, int]] = {}

    def claim(self, claims: Sequence[Claim]) -> dict[str, tuple[int, int]]:
        for event_id, partition, offset, ts in claims:
            self.owners.setdefault(event_id, (partition, offset, ts))
        return {c[0]: self.owners[c[0]][:2] for c in claims}

    def expire(self, partition: int, before_ms: int) -> int:
        old = [k for k, (p, _, ts) in self.owners.items() if p == partition and ts < before_ms]
        for key in old:
            del self.owners[key]
        return len(old)


class StoreClaims:
    """Claims in the store's ``event_claims`` table: on disk, shared by every worker."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def claim(self, claims: Sequence[Claim]) -> dict[str, tuple[int, int]]:
        return claim_events(self.store, claims)

    def expire(self, partition: int, before_ms: int) -> int:
        return expire_claims(self.store, partition, before_ms)


@dataclass(frozen=True)
class Delivery:
    """One record of ``feedback.scored`` as consumed (``event`` None: it did not parse)."""

    partition: int
    offset: int
    event: ScoredEvent | None


@dataclass
class Plan:
    """A batch sorted out before the claims are asked: what is new, what is too late."""

    candidates: list[Delivery] = field(default_factory=list)
    too_late: list[Delivery] = field(default_factory=list)
    progress: dict[int, dict[str, Any]] = field(default_factory=dict)
    replayed: list[Delivery] = field(default_factory=list)  # processed before a crash

    @property
    def claims(self) -> list[Claim]:
        return [
            (d.event.id, d.partition, d.offset, event_millis(d.event))
            for d in self.candidates
            if d.event is not None
        ]


@dataclass
class BatchOutcome:
    """What a batch changed: cells to publish, progress per partition, and what was left out."""

    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: dict[int, dict[str, Any]] = field(default_factory=dict)
    counted: list[Delivery] = field(default_factory=list)
    duplicates: int = 0
    too_late: list[Delivery] = field(default_factory=list)
    #: Counted before a crash: their cells (unchanged) and threads are published again,
    #: since what the crash interrupted may be in the table but not yet downstream.
    replayed: list[Delivery] = field(default_factory=list)
    republish: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def published(self) -> dict[str, dict[str, Any]]:
        """Every cell to send downstream: the changed ones and the replayed ones."""
        return {**self.republish, **self.cells}

    @property
    def watermarks(self) -> dict[int, int]:
        return {p: s["wm"] for p, s in self.progress.items() if s["wm"] is not None}


def cell_key(partition: int, size: str, start: int, dim: str) -> str:
    return f"{partition}|{size}|{start}|{dim}"


def parse_cell_key(key: str) -> tuple[int, str, int, str]:
    partition, size, start, dim = key.split("|", 3)
    return int(partition), size, int(start), dim


def progress_key(partition: int) -> str:
    return f"{partition}|wm"


class PartitionCounter:
    """Counts scored events into per-partition window cells, exactly once per id."""

    def __init__(
        self,
        cells: MutableMapping[str, Any],
        claims: Claims | None = None,
        *,
        lateness_s: float = 300.0,
        retention_s: float | None = None,
        hold_s: float = HOLD_S,
        wall: Callable[[], float] = time.monotonic,
        combinations: Sequence[Sequence[str]] = DEFAULT_COMBINATIONS,
        phrases: PhraseCounter | None = None,
    ) -> None:
        self.cells = cells
        #: the cells of each partition, indexed (its progress record is not a cell)
        self.family = KeyFamily(cells, "", member=lambda key: not key.endswith("|wm"))
        self.combinations = combinations
        #: counts complaint terms no topic covers into the hour's overall cell (None: none)
        self.phrases = phrases
        self.claims: Claims = claims if claims is not None else MemoryClaims()
        self.lateness_ms = int(lateness_s * 1000)
        longest = max(SIZES.values()) * 1000
        self.retention_ms = int(retention_s * 1000) if retention_s else longest + self.lateness_ms
        self.hold_s = hold_s
        self.wall = wall
        self._started = wall()
        self._changed: dict[str, float] = {}  # cell key → wall time of its last change
        self._expired_at: dict[int, tuple[int, float]] = {}  # partition → (watermark, wall)

    def progress(self, partition: int) -> dict[str, Any] | None:
        """``{"wm": latest event time or None, "next": first offset not processed}``."""
        value = self.cells.get(progress_key(partition))
        return None if value is None else {"wm": value.get("wm"), "next": value.get("next", 0)}

    def watermark(self, partition: int) -> int | None:
        state = self.progress(partition)
        return None if state is None else state["wm"]

    def add_batch(self, deliveries: Sequence[Delivery]) -> BatchOutcome:
        """Plan, claim and apply a batch in one call (the worker awaits the claims in between)."""
        plan = self.plan(deliveries)
        return self.apply(plan, self.claims.claim(plan.claims))

    def plan(self, deliveries: Sequence[Delivery]) -> Plan:
        """Drop what was processed before, and what is too late; the rest needs claims."""
        plan = Plan()
        for delivery in sorted(deliveries, key=lambda d: (d.partition, d.offset)):
            p = delivery.partition
            state = plan.progress.get(p) or self.progress(p) or {"wm": None, "next": 0}
            if delivery.offset < state["next"]:
                plan.replayed.append(delivery)
                continue
            wm = state["wm"]
            event = delivery.event
            if event is not None:
                ts = event_millis(event)
                if wm is not None and self._closed(ts, wm):
                    plan.too_late.append(delivery)
                    self._log_late(delivery, ts, wm)
                else:
                    plan.candidates.append(delivery)
                    wm = ts if wm is None else max(wm, ts)
            plan.progress[p] = {"wm": wm, "next": delivery.offset + 1}
        return plan

    def apply(self, plan: Plan, owners: dict[str, tuple[int, int]]) -> BatchOutcome:
        """Count the candidates that own their id; write cells, then each partition's progress."""
        outcome = BatchOutcome(progress=plan.progress, too_late=plan.too_late)
        for delivery in plan.replayed:
            self._republish(delivery, outcome)
        for delivery in plan.candidates:
            event = delivery.event
            if event is None:
                continue
            if owners.get(event.id) != (delivery.partition, delivery.offset):
                outcome.duplicates += 1
                continue
            self._count(delivery, event, outcome)
        now = self.wall()
        for key, cell in outcome.cells.items():
            self.family.set(parse_cell_key(key)[0], key, cell)
            self._changed[key] = now
        for partition, state in plan.progress.items():
            self.cells[progress_key(partition)] = state
        return outcome

    def _count(self, delivery: Delivery, event: ScoredEvent, outcome: BatchOutcome) -> None:
        p, offset, ts = delivery.partition, delivery.offset, event_millis(event)
        dims = dimensions(event, self.combinations)
        pairs = by_pairs(event_values(event))
        terms = None
        if self.phrases is not None and event.is_complaint and not event.duplicate_of:
            terms = self.phrases.terms(event.text, (event.product or "", event.region or ""))
        for size, size_s in SIZES.items():
            start = window_start(ts, size_s)
            for dim in dims:
                key = cell_key(p, size, start, dim)
                cell = outcome.cells.get(key)
                if cell is None:
                    stored = self.cells.get(key)
                    cell = _copy(stored) if stored is not None else {**new_cell(), "marker": -1}
                if offset <= cell["marker"]:  # counted before a crash; its record survived
                    outcome.republish[key] = cell
                    continue
                # the drivers are read from the smallest windows of judged keys only
                judged = FIELD_SEP in dim or not dim.startswith(UNJUDGED)
                add_event(cell, event, pairs if judged and size == BY_WINDOW else [])
                if terms and dim == OVERALL and size == PHRASE_WINDOW:
                    # placed: a topic names it, or it is the crisis detector's (its terms)
                    placed = bool(event.topics or event.crisis_terms)
                    add_terms(cell, terms, event.id, event.text, placed)
                cell["marker"] = offset
                outcome.cells[key] = cell
        outcome.counted.append(delivery)

    def _republish(self, delivery: Delivery, outcome: BatchOutcome) -> None:
        event = delivery.event
        if event is None:
            return
        ts = event_millis(event)
        dims = dimensions(event, self.combinations)
        for size, size_s in SIZES.items():
            for dim in dims:
                key = cell_key(delivery.partition, size, window_start(ts, size_s), dim)
                cell = self.cells.get(key)
                if cell is not None:
                    outcome.republish[key] = cell
        outcome.replayed.append(delivery)

    def open_cells(self, partition: int) -> dict[str, dict[str, Any]]:
        """Every cell ``partition`` still keeps (to publish again on a takeover)."""
        return {key: cell for key, cell in self.family.items(partition) if "marker" in cell}

    def _closed(self, ts: int, wm: int) -> bool:
        """Whether the smallest window holding ``ts`` closed: its end plus the lateness passed."""
        size_s = min(SIZES.values())
        return window_start(ts, size_s) + size_s * 1000 + self.lateness_ms <= wm

    def _log_late(self, delivery: Delivery, ts: int, wm: int) -> None:
        assert delivery.event is not None
        log.warning(
            "late event %s (created %s) is %.0fs behind partition %d: "
            "kept in the store, not in the live windows",
            delivery.event.id,
            delivery.event.created_at.isoformat(),
            (wm - ts) / 1000,
            delivery.partition,
        )

    def claim_horizon(self, partition: int) -> int | None:
        """Claims of events before this (ms) can go: such an event is too late to count."""
        wm = self.watermark(partition)
        size_ms = min(SIZES.values()) * 1000
        return None if wm is None else wm - self.lateness_ms - 2 * size_ms

    def due_for_expiry(self, partition: int) -> bool:
        """Whether event time moved a smallest window on, or ``hold_s`` passed, since the last."""
        wm = self.watermark(partition)
        if wm is None:
            return False
        last = self._expired_at.get(partition)
        return (
            last is None
            or wm - last[0] >= min(SIZES.values()) * 1000
            or self.wall() - last[1] >= self.hold_s
        )

    def expire(self, partition: int) -> int:
        """Forget cells of ``partition`` older than the retention; returns how many.

        A cell also stays until it has not changed for ``hold_s`` of wall time:
        by then its batch was committed, so no replay will need to send it again.
        """
        wm = self.watermark(partition)
        if wm is None:
            return 0
        now = self.wall()
        self._expired_at[partition] = (wm, now)
        horizon = wm - self.retention_ms
        old_cells = [
            k
            for k in self.family.keys(partition)
            if parse_cell_key(k)[2] < horizon
            and now - self._changed.get(k, self._started) >= self.hold_s
        ]
        for key in old_cells:
            self.family.delete(partition, key)
            self._changed.pop(key, None)
        return len(old_cells)


def _copy(cell: dict[str, Any]) -> dict[str, Any]:
    copied = dict(cell)
    for name in ("topics", "crisis", "sources"):
        copied[name] = dict(cell[name])
    copied["samples"] = list(cell["samples"])
    if "terms" in cell:
        copied["terms"] = dict(cell["terms"])
        copied["examples"] = dict(cell.get("examples", {}))
    copied["by"] = {
        name: {value: list(pair) for value, pair in counts.items()}
        for name, counts in cell.get("by", {}).items()
    }
    return copied
