"""The worker's stages as plain objects: counting, progress and detection, without Faust.

Each stage takes what an agent consumed and returns (or yields) what must go out,
in the order it must go out; the agents in :mod:`streams.pipeline` only send it.
Tests drive these stages directly, and so do the offline replays of the demo.

The ordering rules, each found by a crash test:

- Counting: the claims of a batch are stored before its cells are counted
  (:meth:`CountStage.plan`, then :meth:`CountStage.apply`); the cells, items
  and marks go out through the outbox before the batch is acknowledged, and
  only then may old cells be forgotten (:meth:`CountStage.expire`).
- Detection: the totals and signals of everything before a progress mark are
  out before the mark is applied (the mark may close windows and forget their
  parts; a part replayed after a crash is then ignored, so its total must be
  stored already); the signals a mark raises are out before the next record,
  as near as can be to the changelog of the closes.
- A long catch-up closes a few windows at a time and gives the event loop back
  in between, so scoring, the sink and the group's heartbeats keep going.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from radar.errors import ValidationFailed
from radar.events import ScoredEvent, Signal, parse_model
from streams.counting import BatchOutcome, Delivery, PartitionCounter, Plan
from streams.crisis import crisis_item
from streams.detection import Detection, WindowTotal
from streams.outbox import Outbox
from streams.progress import caught_up
from streams.protocol import (
    CrisisItem,
    Partial,
    ProgressMark,
    SourceBeat,
    ThreadItem,
    WindowRecord,
)
from streams.taxonomy import Taxonomy
from streams.unanswered import CONVERSATION_CHANNELS, thread_items

log = logging.getLogger(__name__)
#: Windows of each size closed in one go: a backfill's long catch-up goes in steps that
#: give the event loop back, so scoring, the sink and the group's heartbeats keep going.
CLOSE_STEP = 3


# -- counting ---------------------------------------------------------------------------------
def parse_delivery(partition: int, offset: int, value: bytes) -> Delivery:
    """A consumed scored record as counting sees it (an unreadable one only moves progress on)."""
    try:
        parsed: ScoredEvent | None = parse_model(ScoredEvent, value)
    except ValidationFailed as exc:  # the sink dead-letters it; counting skips it
        log.warning("unreadable scored record skipped by counting: %s", exc)
        parsed = None
    return Delivery(partition, offset, parsed)


@dataclass
class Counted:
    """What a counting batch did: its outcome, and the items for detection."""

    outcome: BatchOutcome
    items: list[ThreadItem | CrisisItem] = field(default_factory=list)


class CountStage:
    """``feedback.scored`` → window cells per source partition, thread and crisis items."""

    def __init__(
        self,
        counter: PartitionCounter,
        taxonomy: Taxonomy,
        channels: Collection[str] = CONVERSATION_CHANNELS,
    ) -> None:
        self.counter = counter
        self.taxonomy = taxonomy
        self.channels = channels

    def plan(self, deliveries: Sequence[Delivery]) -> Plan:
        """Sort a batch out; its ``claims`` go to the store before :meth:`apply`."""
        return self.counter.plan(deliveries)

    def apply(self, plan: Plan, owners: dict[str, tuple[int, int]]) -> Counted:
        """Count what the claims gave this batch; items for every delivery with an event.

        Threads and crises are judged in event time however late an item comes (a
        mailbox read after an outage), and detection drops repeats by id, so replayed
        and too-late deliveries send their items too.
        """
        outcome = self.counter.apply(plan, owners)
        counted = Counted(outcome)
        for delivery in [*outcome.replayed, *outcome.counted, *outcome.too_late]:
            if delivery.event is None:
                continue
            counted.items += thread_items(delivery.event, self.channels)
            crisis = crisis_item(delivery.event, self.taxonomy)
            if crisis is not None:
                counted.items.append(crisis)
        return counted

    def expire(self, partitions: Iterable[int]) -> list[tuple[int, int]]:
        """Forget cells past the retention, once the batch is out (a partition taken over
        sends the cells it keeps); returns (partition, before ms) of claims that can go."""
        expiries = []
        for p in partitions:
            if self.counter.due_for_expiry(p):
                self.counter.expire(p)
                horizon = self.counter.claim_horizon(p)
                if horizon is not None:
                    expiries.append((p, horizon))
        return expiries


# -- progress ---------------------------------------------------------------------------------
class ProgressStage:
    """Which source partitions are caught up: their marks let detection's event time move on."""

    def __init__(self, counter: PartitionCounter, outbox: Outbox) -> None:
        self.counter = counter
        self.outbox = outbox

    def take_over_finished(self, partitions: Iterable[int], ends: dict[int, int]) -> None:
        """A partition counted to its end sends its cells once: nothing will be replayed."""
        for p in partitions:
            state = self.counter.progress(p)
            if state and state["next"] >= ends[p]:
                self.outbox.take_over(p, state)

    def marks(
        self,
        partitions: Iterable[int],
        starts: dict[int, int],
        ends: dict[int, int],
        *,
        upstream_idle: bool,
    ) -> list[ProgressMark]:
        """A mark per partition; idle when all of it is counted and sent, and upstream too.

        Only what was sent counts: the counting table runs ahead of what went downstream.
        """
        published = self.outbox.published
        sent = {p: s["next"] for p, s in published.items()}
        counted = {p: self.counter.progress(p) for p in partitions}
        counted_next = {p: s["next"] if s else None for p, s in counted.items()}
        status = caught_up(sorted(counted), sent, ends, starts, counted_next=counted_next)
        return [
            ProgressMark(
                p=p,
                wm=published[p]["wm"] if p in published else None,
                idle=status[p] and upstream_idle,
            )
            for p in sorted(counted)
        ]


# -- detection --------------------------------------------------------------------------------
@dataclass
class Settle:
    """What must be out before detection goes on: totals to store, then signals to send.

    ``pause``: give the event loop back first (a step of a long catch-up).
    """

    totals: list[WindowTotal] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    pause: bool = False

    def __bool__(self) -> bool:
        return bool(self.totals or self.signals or self.pause)


class DetectStage:
    """Windows records → window totals and signals, yielded in the order they must go out."""

    def __init__(self, detection: Detection, partitions: int, close_step: int = CLOSE_STEP) -> None:
        self.detection = detection
        self.partitions = partitions
        self.close_step = close_step

    def run(self, items: Iterable[tuple[int, WindowRecord]]) -> Iterator[Settle]:
        """Apply each (detection partition, record); yields each time something must be out.

        The caller settles each yield before asking for the next: a generator
        suspended at a yield has not applied the records after it.
        """
        d = self.detection
        pending = Settle()
        for mp, record in items:
            match record:
                case Partial():
                    total = d.on_partial(
                        mp, record.p, record.size, record.start, record.dim, record.cell
                    )
                    if total is not None:
                        pending.totals.append(total)
                case ProgressMark():
                    if pending:
                        yield pending  # before the mark may forget their windows
                    pending = Settle()
                    signals = d.on_watermark(
                        mp, record.p, record.wm, idle=record.idle, max_windows=self.close_step
                    )
                    if signals:
                        yield Settle(signals=signals)
                    while d.behind(mp):
                        yield Settle(pause=True)
                        signals = d.advance(mp, self.close_step)
                        if signals:
                            yield Settle(signals=signals)
                case ThreadItem():
                    pending.signals += d.on_thread(mp, record)
                case CrisisItem():
                    pending.signals += d.on_crisis(mp, record)
                case SourceBeat():
                    pending.signals += d.on_heartbeat(mp, record.beat, partitions=self.partitions)
        if pending:
            yield pending

    def tick(self, mine: Iterable[int]) -> list[Signal]:
        """Let time pass without records: stale idle claims, heartbeats that stopped."""
        signals: list[Signal] = []
        for mp in mine:
            signals += self.detection.advance(mp, self.close_step)
            signals += self.detection.check_sources(mp, partitions=self.partitions)
        return signals


__all__ = [
    "CLOSE_STEP",
    "CountStage",
    "Counted",
    "DetectStage",
    "ProgressStage",
    "Settle",
    "parse_delivery",
]
