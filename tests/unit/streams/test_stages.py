"""The stages' ordering rules, without Kafka: what must be out before detection goes on."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from radar.clock import ManualClock
from radar.store.writes import WriteAttempts
from streams.counting import Delivery, MemoryClaims, PartitionCounter
from streams.detection import Detection, DetectionSettings
from streams.pipeline import readable, write_until_stored
from streams.protocol import CrisisItem, Partial, ProgressMark, ThreadItem, encode
from streams.stages import CountStage, DetectStage, Settle
from streams.taxonomy import default_taxonomy
from streams.windows import new_cell, window_start
from tests.unit.streams.test_counting import T0, scored

MS = int(T0.timestamp() * 1000)
SAMPLE = {"id": "e1", "text": "还没人回复", "channel": "email", "created_at": T0.isoformat()}


def detection(sla_s: float = 3600.0) -> Detection:
    settings = DetectionSettings(lateness_s=60, sla_s={"email": sla_s})
    return Detection({}, settings, now=ManualClock(T0).now, wall=lambda: 0.0)


def partial(minutes: int, n: int = 1) -> Partial:
    cell = new_cell() | {"n": n}
    start = window_start(MS + minutes * 60_000, 300)
    return Partial(p=0, size="5m", start=start, dim="overall", cell=cell)


def test_totals_before_a_mark_are_out_before_the_mark_is_applied() -> None:
    d = detection()
    stage = DetectStage(d, partitions=1)
    run = stage.run([(0, partial(0, n=3)), (0, ProgressMark(p=0, wm=MS + 3600_000, idle=True))])
    first = next(run)
    assert [(dim, total["n"]) for dim, _, _, total in first.totals] == [("overall", 3)]
    assert "0|clock" not in d.state or not d.state["0|clock"]["wm"]  # the mark waits
    list(run)
    assert d.state["0|clock"]["wm"] == {"0": MS + 3600_000}


def test_a_marks_signals_are_out_before_the_next_record_is_applied() -> None:
    d = detection(sla_s=600)
    stage = DetectStage(d, partitions=1)
    complaint = ThreadItem(
        thread="email|box|t1", channel="email", ts=MS / 1000, event="complaint", sample=SAMPLE
    )
    reply = ThreadItem(thread="email|box|t1", channel="email", ts=MS / 1000 + 900, event="reply")
    run = stage.run(
        [(0, complaint), (0, ProgressMark(p=0, wm=MS + 1200_000)), (0, partial(20)), (0, reply)]
    )
    fired = next(run)  # the complaint opened a wait, with nothing to say yet
    assert [s.status for s in fired.signals] == ["firing"]
    assert d.state["0|t|email|box|t1"]["fired_since"] is not None  # the reply is not in yet
    rest = [s.status for effects in run for s in effects.signals]
    assert rest == ["resolved"]


def test_a_long_catch_up_gives_the_loop_back_between_steps() -> None:
    d = detection()
    stage = DetectStage(d, partitions=1, close_step=1)
    records = [(0, partial(0)), (0, ProgressMark(p=0, wm=MS + 2 * 3600_000, idle=True))]
    effects = list(stage.run(records))
    pauses = [e for e in effects if e.pause]
    assert len(pauses) >= 20  # 5-minute windows closed one at a time
    assert not any(e.totals or e.signals for e in pauses)
    assert not d.behind(0)


def test_count_stage_sends_thread_and_crisis_items_for_what_it_counted() -> None:
    counter = PartitionCounter({}, MemoryClaims())
    stage = CountStage(counter, default_taxonomy())
    mail = scored(1, channel="email", thread_id="t1")
    fire = scored(2, severity=3, crisis_terms=["起火"], text="充电宝起火了", product="p7")
    plan = stage.plan([Delivery(0, 0, mail), Delivery(0, 1, fire), Delivery(0, 2, None)])
    done = stage.apply(plan, MemoryClaims().claim(plan.claims))
    kinds = sorted(type(item).__name__ for item in done.items)
    assert kinds == ["CrisisItem", "ThreadItem"]
    crisis = next(i for i in done.items if isinstance(i, CrisisItem))
    assert crisis.key == {"crisis": "safety", "product": "p7"}
    assert done.outcome.progress[0]["next"] == 3  # the unreadable record moves progress on


def test_unreadable_windows_records_are_skipped_not_fatal() -> None:
    class Item:
        def __init__(self, offset: int, value: bytes) -> None:
            self.partition, self.offset, self.value = 0, offset, value

    good = encode(ProgressMark(p=1, wm=5))
    items = readable([Item(0, b"{not json"), Item(1, b'{"kind":"nope"}'), Item(2, good)])
    assert items == [(0, ProgressMark(p=1, wm=5))]


def test_settle_is_empty_only_without_totals_signals_or_pause() -> None:
    assert not Settle() and Settle(pause=True)


class TestWriteUntilStored:
    def test_a_store_away_is_waited_for(self) -> None:
        calls = []

        def write(x: int) -> int:
            calls.append(x)
            if len(calls) < 4:
                raise OperationalError("INSERT", {}, Exception("database is locked"))
            return x * 2

        fast = WriteAttempts("test", first_delay=0.001, max_delay=0.001)
        assert asyncio.run(write_until_stored("t", write, 21, attempts=fast)) == 42
        assert len(calls) == 4  # four tries: three refusals by a store away are no poison

    def test_a_write_refused_every_time_is_set_aside(self) -> None:
        poisoned: list[BaseException] = []

        def write() -> None:
            raise ValueError("integer out of range")

        async def aside(exc: BaseException) -> None:
            poisoned.append(exc)

        fast = WriteAttempts("test", poison_after=3, first_delay=0.001)
        result = asyncio.run(write_until_stored("t", write, on_poison=aside, attempts=fast))
        assert result is None and [str(e) for e in poisoned] == ["integer out of range"]

    def test_attempts_count_refusals_in_a_row(self) -> None:
        attempts = WriteAttempts("t", poison_after=2, first_delay=1, max_delay=4)
        assert attempts.failed(ValueError()) == 1
        assert attempts.failed(OperationalError("x", {}, Exception())) == 2  # away: count anew
        assert attempts.failed(ValueError()) == 4
        assert attempts.failed(ValueError()) is None


@pytest.mark.parametrize("minutes", [0, 61])
def test_stage_totals_match_direct_detection(minutes: int) -> None:
    """The stage adds no logic of its own: the same totals as Detection's own calls."""
    direct, staged = detection(), detection()
    record = partial(minutes)
    expected = direct.on_partial(0, 0, "5m", record.start, "overall", record.cell)
    (effects,) = DetectStage(staged, partitions=1).run([(0, record)])
    assert effects.totals == [expected]
