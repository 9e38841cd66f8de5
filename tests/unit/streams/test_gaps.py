"""Batches completed with the records Faust skipped."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from streams.gaps import GapFiller
from streams.progress import missing_offsets


def test_missing_offsets_between_the_expected_start_and_the_last_delivered() -> None:
    assert missing_offsets([0, 1, 2], 0) == []
    assert missing_offsets([14, 15], 10) == [10, 11, 12, 13]
    assert missing_offsets([3, 7], 3) == [4, 5, 6]
    assert missing_offsets([2, 3], 5) == []  # a replay of what was processed
    assert missing_offsets([], 4) == []


@dataclass
class Message:
    partition: int
    offset: int


@dataclass
class Event:
    message: Message
    value: bytes


class Log:
    """A partition's records and a committed offset, as the filler asks for them."""

    def __init__(self, committed: int | None) -> None:
        self.committed_offset = committed
        self.reads: list[tuple[int, int, int]] = []

    async def committed(self, group: str, topic: str, partition: int) -> int | None:
        return self.committed_offset

    async def read(self, topic: str, partition: int, start: int, end: int) -> list[Any]:
        self.reads.append((partition, start, end))
        return [(o, f"{partition}:{o}".encode()) for o in range(start, end)]


def batch(partition: int, offsets: range) -> list[Any]:
    return [Event(Message(partition, o), f"{partition}:{o}".encode()) for o in offsets]


def test_a_skipped_stretch_is_read_and_merged_in_offset_order() -> None:
    log = Log(committed=0)
    filler = GapFiller(log, "group", "topic")  # type: ignore[arg-type]
    first = asyncio.run(filler.complete(batch(0, range(10))))
    assert [r.offset for r in first] == list(range(10)) and log.reads == []
    second = asyncio.run(filler.complete(batch(0, range(86, 90)) + batch(1, range(2))))
    assert log.reads == [(0, 10, 86)]
    assert [(r.partition, r.offset) for r in second] == [
        *((0, o) for o in range(10, 90)),
        (1, 0),
        (1, 1),
    ]
    assert second[0].value == b"0:10"


def test_after_an_assignment_the_committed_offset_is_the_start() -> None:
    log = Log(committed=5)
    filler = GapFiller(log, "group", "topic")  # type: ignore[arg-type]
    records = asyncio.run(filler.complete(batch(2, range(8, 10))))
    assert log.reads == [(2, 5, 8)]
    assert [r.offset for r in records] == [5, 6, 7, 8, 9]
    filler.forget([2])
    log.committed_offset = 40  # another worker went on meanwhile
    assert [r.offset for r in asyncio.run(filler.complete(batch(2, range(40, 42))))] == [40, 41]
    assert len(log.reads) == 1
