"""The internal windows records: each survives the wire unchanged and goes where it is judged."""

from __future__ import annotations

import pytest

from radar.errors import ValidationFailed
from radar.events import Heartbeat
from streams.protocol import (
    CrisisItem,
    Partial,
    ProgressMark,
    SourceBeat,
    ThreadItem,
    WindowRecord,
    addressed,
    decode,
    encode,
)
from streams.windows import new_cell
from tests.unit.streams.test_counting import T0

SAMPLE = {"id": "e1", "text": "热水器漏电", "channel": "forum", "created_at": T0.isoformat()}
RECORDS: list[WindowRecord] = [
    Partial(p=2, size="5m", start=1_000, dim="topic=物流配送;region=广东", cell=new_cell()),
    ProgressMark(p=1, wm=None, idle=True),
    ThreadItem(thread="chat|im|t9", channel="chat", ts=1.5, event="complaint", sample=SAMPLE),
    CrisisItem(
        key={"crisis": "safety", "product": "热水器"},
        ts=2.0,
        id="e1",
        terms=["漏电"],
        topics=[],
        reach=0,
        source="forum-a",
        sample=SAMPLE,
    ),
    SourceBeat(beat=Heartbeat(source="mail", channel="email", at=T0, status="ok")),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.kind)
def test_every_record_survives_the_wire(record: WindowRecord) -> None:
    value = encode(record)
    assert decode(value) == record
    assert "物流配送".encode() in value or record.kind != "partial"  # UTF-8, not \\u escapes


def test_records_go_where_they_are_judged() -> None:
    combination, mark, thread, crisis, beat = RECORDS
    # a combination goes where its anchor (first field) goes, by the key's hash
    assert [(r.key, r.partition) for r in addressed(combination, 3)] == [
        ("topic=物流配送".encode(), None)
    ]
    overall = Partial(p=0, size="1h", start=0, dim="overall", cell=new_cell())
    assert [r.partition for r in addressed(overall, 3)] == [0, 1, 2]
    assert [r.partition for r in addressed(mark, 3)] == [0, 1, 2]
    assert [r.partition for r in addressed(beat, 3)] == [0, 1, 2]
    assert [r.key for r in addressed(thread, 3)] == [b"chat|im|t9"]
    assert [r.key for r in addressed(crisis, 3)] == ["crisis=safety,product=热水器".encode()]


@pytest.mark.parametrize(
    "value", [b"", b"{", b'{"kind":"partial"}', b'{"kind":"gossip","p":1}', b"[1,2]"]
)
def test_bytes_no_worker_wrote_are_a_clear_error(value: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        decode(value)
    assert caught.value.reason == "invalid_record"
