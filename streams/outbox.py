"""Counting stage: what counting sends to detection, coalesced (at most every ``publish_s``).

A busy cell changes in every batch; detection needs only its latest state, and
only before the progress mark that lets its window close. So changed cells
wait here and go out together with the progress marks of the batches they
came from, cells first: a mark never overtakes the cells it covers.

A partition taken over (at start, after a crash, on a rebalance) first sends
all its open cells again: cells counted before the takeover may have been
committed to the table but not sent downstream. They are absolute, so
sending them twice is harmless.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from streams.counting import BatchOutcome, PartitionCounter

SendCells = Callable[[dict[str, dict[str, Any]]], Awaitable[None]]
SendProgress = Callable[[int, int | None], Awaitable[None]]


class Outbox:
    """Changed cells and progress marks on their way downstream."""

    def __init__(
        self,
        counter: PartitionCounter,
        send_cells: SendCells,
        send_progress: SendProgress,
        *,
        publish_s: float,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self.counter = counter
        self.send_cells = send_cells
        self.send_progress = send_progress
        self.publish_s = publish_s
        self.wall = wall
        self.cells: dict[str, dict[str, Any]] = {}
        self.progress: dict[int, dict[str, Any]] = {}
        #: partition → {"next", "wm"} as far as its effects were sent downstream
        self.published: dict[int, dict[str, Any]] = {}
        self.taken: set[int] = set()
        self.last = wall()
        self._lock = asyncio.Lock()

    def take_over(self, partition: int, progress: dict[str, Any] | None = None) -> None:
        """Queue a newly owned partition's open cells (once), and its progress if given."""
        if partition in self.taken:
            return
        self.taken.add(partition)
        self.cells.update(self.counter.open_cells(partition))
        if progress is not None:
            self.progress.setdefault(partition, progress)

    def add(self, outcome: BatchOutcome) -> None:
        for partition in outcome.progress:
            self.take_over(partition)
        self.cells.update(outcome.published)
        self.progress.update(outcome.progress)

    def keep(self, partitions: Collection[int]) -> None:
        """Forget partitions no longer owned: if they come back, they are taken over again."""
        for partition in set(self.taken) - set(partitions):
            self.taken.discard(partition)
            self.published.pop(partition, None)
            self.progress.pop(partition, None)

    async def flush(self, *, force: bool = False) -> None:
        """Send what waits (cells, then marks) if ``publish_s`` passed, or now with ``force``."""
        async with self._lock:
            if not force and self.wall() - self.last < self.publish_s:
                return
            cells, self.cells = self.cells, {}
            marks, self.progress = self.progress, {}
            self.last = self.wall()
            await self.send_cells(cells)
            for partition, mark in sorted(marks.items()):
                await self.send_progress(partition, mark["wm"])
                self.published[partition] = mark


__all__ = ["Outbox"]
