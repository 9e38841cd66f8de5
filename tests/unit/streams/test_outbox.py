"""The outbox: changed cells coalesce, marks never overtake their cells, takeovers resend once."""

from __future__ import annotations

import asyncio
from typing import Any

from streams.counting import Delivery, PartitionCounter
from streams.outbox import Outbox
from tests.unit.streams.test_counting import scored


class Wire:
    """Records what the outbox sends, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def cells(self, cells: dict[str, dict[str, Any]]) -> None:
        self.sent += [("cell", (key, cell["n"])) for key, cell in cells.items()]

    async def progress(self, partition: int, wm: int | None) -> None:
        self.sent.append(("mark", partition))


def outbox(counter: PartitionCounter, wire: Wire, clock: list[float]) -> Outbox:
    return Outbox(counter, wire.cells, wire.progress, publish_s=2.0, wall=lambda: clock[0])


def test_cells_coalesce_until_publish_time_and_go_before_their_marks() -> None:
    counter, wire, clock = PartitionCounter({}), Wire(), [0.0]
    box = outbox(counter, wire, clock)
    for i in range(3):
        box.add(counter.add_batch([Delivery(0, i, scored(i))]))
        clock[0] += 0.5
        asyncio.run(box.flush())
    assert wire.sent == []  # 1.5 s: not yet
    clock[0] += 0.5
    asyncio.run(box.flush())
    kinds = [kind for kind, _ in wire.sent]
    assert kinds[-1] == "mark" and "mark" not in kinds[:-1]  # every cell before the mark
    overall = [
        n for kind, item in wire.sent if kind == "cell" for key, n in [item] if "overall" in key
    ]
    assert overall == [3, 3]  # each cell once, in its latest state (5m and 1h windows)
    assert box.published[0]["next"] == 3


def test_a_takeover_sends_the_open_cells_once() -> None:
    counter, wire, clock = PartitionCounter({}), Wire(), [0.0]
    counter.add_batch([Delivery(1, 0, scored(0))])  # counted by a worker that died
    box = outbox(counter, wire, clock)
    box.take_over(1, counter.progress(1))
    box.take_over(1, counter.progress(1))
    asyncio.run(box.flush(force=True))
    cells = [item for kind, item in wire.sent if kind == "cell"]
    assert cells and len(cells) == len(set(cells))
    assert wire.sent[-1] == ("mark", 1)
    box.keep([])  # revoked: taken over again if it comes back
    assert box.taken == set() and box.published == {}
