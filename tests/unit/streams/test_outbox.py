"""The outbox: each changed cell once, marks never overtake their cells or items, takeovers
resend once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from streams.counting import Delivery, PartitionCounter, cell_key
from streams.outbox import Outbox
from streams.protocol import Partial, ProgressMark, ThreadItem, WindowRecord
from tests.unit.streams.test_counting import scored


class Wire:
    """Records what the outbox sends, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def send(self, records: Sequence[WindowRecord]) -> None:
        for record in records:
            match record:
                case Partial(p=p, size=size, start=start, dim=dim, cell=cell):
                    self.sent.append(("cell", (cell_key(p, size, start, dim), cell["n"])))
                case ProgressMark(p=p):
                    self.sent.append(("mark", p))
                case _:
                    self.sent.append(("item", record))


def test_each_cell_goes_once_in_its_latest_state_before_the_marks() -> None:
    counter, wire = PartitionCounter({}), Wire()
    box = Outbox(counter, wire.send)
    box.add(counter.add_batch([Delivery(0, 0, scored(0)), Delivery(1, 0, scored(1))]))
    box.add(counter.add_batch([Delivery(0, 1, scored(2))]))
    asyncio.run(box.flush())
    kinds = [kind for kind, _ in wire.sent]
    assert kinds[-2:] == ["mark", "mark"] and "mark" not in kinds[:-2]
    overall = [n for kind, (key, n) in wire.sent[:-2] if key.startswith("0|") and "overall" in key]
    assert overall == [2, 2]  # each partition-0 cell once, in its latest state (5m and 1h)
    assert box.published[0]["next"] == 2 and box.published[1]["next"] == 1
    wire.sent.clear()
    asyncio.run(box.flush())
    assert wire.sent == []  # nothing waits twice


def test_a_takeover_sends_the_open_cells_once() -> None:
    counter, wire = PartitionCounter({}), Wire()
    counter.add_batch([Delivery(1, 0, scored(0))])  # counted by a worker that died
    box = Outbox(counter, wire.send)
    box.take_over(1, counter.progress(1))
    box.take_over(1, counter.progress(1))
    asyncio.run(box.flush())
    cells = [item for kind, item in wire.sent if kind == "cell"]
    assert cells and len(cells) == len(set(cells))
    assert wire.sent[-1] == ("mark", 1)
    box.keep([])  # revoked: taken over again if it comes back
    assert box.taken == set() and box.published == {}


def test_items_go_after_the_cells_and_before_the_marks() -> None:
    counter, wire = PartitionCounter({}), Wire()
    box = Outbox(counter, wire.send)
    item = ThreadItem(thread="email|box|t1", channel="email", ts=1.0, event="reply")
    box.add(counter.add_batch([Delivery(0, 0, scored(0))]), [item])
    asyncio.run(box.flush())
    kinds = [kind for kind, _ in wire.sent]
    assert kinds.index("item") == len(kinds) - 2  # every cell, the item, the mark
    assert set(kinds[:-2]) == {"cell"} and kinds[-1] == "mark"
