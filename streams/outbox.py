"""Counting stage: what counting sends to detection, in order: cells, items, progress marks.

Each counting batch sends the cells it changed, each once in its latest state,
then its thread and crisis items, then the progress marks of its partitions:
a mark never overtakes the cells and items it covers. The batch is acknowledged
only after that, so a batch whose cells did not reach Kafka is not committed
and is counted again after a crash (cells at or below their marker are only
sent again).

A partition taken over (at start, after a crash, on a rebalance) first sends
every cell it still keeps: what the last owner counted may not all have gone
downstream. Cells are absolute, and detection ignores those of windows it has
forgotten, so sending them twice is harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any

from streams.counting import BatchOutcome, PartitionCounter, parse_cell_key
from streams.protocol import CrisisItem, Partial, ProgressMark, ThreadItem, WindowRecord

Send = Callable[[Sequence[WindowRecord]], Awaitable[None]]


class Outbox:
    """Changed cells, thread and crisis items, and progress marks on their way downstream."""

    def __init__(self, counter: PartitionCounter, send: Send) -> None:
        self.counter = counter
        self.send = send
        self.cells: dict[str, dict[str, Any]] = {}
        self.items: list[ThreadItem | CrisisItem] = []
        self.progress: dict[int, dict[str, Any]] = {}
        #: partition → {"next", "wm"} as far as its effects were sent downstream
        self.published: dict[int, dict[str, Any]] = {}
        self.taken: set[int] = set()
        self._lock = asyncio.Lock()

    def take_over(self, partition: int, progress: dict[str, Any] | None = None) -> None:
        """Queue a newly owned partition's cells (once), and its progress if given."""
        if partition in self.taken:
            return
        self.taken.add(partition)
        self.cells.update(self.counter.open_cells(partition))
        if progress is not None:
            self.progress.setdefault(partition, progress)

    def add(self, outcome: BatchOutcome, items: Sequence[ThreadItem | CrisisItem] = ()) -> None:
        for partition in outcome.progress:
            self.take_over(partition)
        self.cells.update(outcome.published)
        self.items.extend(items)
        self.progress.update(outcome.progress)

    def keep(self, partitions: Collection[int]) -> None:
        """Forget partitions no longer owned: if they come back, they are taken over again."""
        for partition in set(self.taken) - set(partitions):
            self.taken.discard(partition)
            self.published.pop(partition, None)
            self.progress.pop(partition, None)

    async def flush(self) -> None:
        """Send what waits: the cells, then the items, then the marks."""
        async with self._lock:
            cells, self.cells = self.cells, {}
            items, self.items = self.items, []
            marks, self.progress = self.progress, {}
            records: list[WindowRecord] = [_partial(key, cell) for key, cell in cells.items()]
            records += items
            records += [ProgressMark(p=p, wm=mark["wm"]) for p, mark in sorted(marks.items())]
            await self.send(records)
            self.published.update(marks)

    async def send_marks(self, marks: Sequence[ProgressMark]) -> None:
        """Send progress marks decided outside a batch (the progress timer's)."""
        async with self._lock:
            await self.send(marks)


def _partial(key: str, cell: dict[str, Any]) -> Partial:
    p, size, start, dim = parse_cell_key(key)
    return Partial(p=p, size=size, start=start, dim=dim, cell=cell)


__all__ = ["Outbox"]
