"""Unanswered complaints: who waits for a reply, and signals that depend on event time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from radar.clock import ManualClock
from streams.detection import Detection, DetectionSettings
from streams.protocol import ThreadItem
from streams.unanswered import awaits_reply, thread_items, thread_keys
from tests.unit.streams.test_counting import T0, scored
from tests.unit.streams.test_state import RestoredTable

SLA = 3600.0
BASE = {"kind": "thread", "channel": "email", "thread": "email|box|t1"}
SAMPLE = {"id": "e1", "text": "还没人回复", "channel": "email", "created_at": T0.isoformat()}


def complaint(ts: float) -> ThreadItem:
    return ThreadItem(**{**BASE, "event": "complaint", "ts": ts, "sample": SAMPLE})


def reply(ts: float) -> ThreadItem:
    return ThreadItem(**{**BASE, "event": "reply", "ts": ts})


def detection() -> Detection:
    return Detection({}, DetectionSettings(sla_s={"email": SLA}), now=ManualClock(T0).now)


@pytest.mark.parametrize(
    ("channel", "complaint", "staff", "waits"),
    [
        ("email", True, False, True),
        ("chat", False, True, True),  # a staff reply ends waits
        ("email", False, False, False),  # praise opens nothing
        ("review", True, False, False),  # a review is not a conversation
        ("survey", True, False, False),
    ],
)
def test_only_complaints_and_replies_in_conversations_wait(
    channel: str, complaint: bool, staff: bool, waits: bool
) -> None:
    event = scored(1, channel=channel, is_complaint=complaint, is_staff_reply=staff, thread_id="t")
    assert awaits_reply(event) is waits
    assert bool(thread_items(event)) is waits


def test_a_reply_names_its_thread_and_the_message_it_answers() -> None:
    reply = scored(2, channel="chat", is_staff_reply=True, thread_id="c9", reply_to="m3")
    assert thread_keys(reply) == ["chat|s|c9", "chat|s|m3"]
    assert thread_keys(scored(3, channel="chat")) == ["chat|s|3"]


def test_the_firing_signal_is_stamped_at_the_deadline_whenever_time_is_seen_to_pass() -> None:
    t0 = T0.timestamp()
    early, late = detection(), detection()
    for d in (early, late):
        d.on_thread(0, complaint(t0))
    [a] = early.check_threads(0, t0 + SLA + 1)
    [b] = late.check_threads(0, t0 + 5 * SLA)  # the watermark jumped far past the deadline
    assert a.id == b.id and a.window_end == b.window_end == T0 + timedelta(seconds=SLA)
    assert a.observed == b.observed == 1.0 and a.expected == 1.0


def test_a_reply_after_the_deadline_fires_then_resolves_before_the_watermark_shows_it() -> None:
    t0 = T0.timestamp()
    d = detection()
    d.on_thread(0, complaint(t0))
    # no watermark went past the deadline yet; the reply, two hours late, arrives first
    signals = d.on_thread(0, reply(t0 + 2 * SLA))
    assert [(s.status, s.observed) for s in signals] == [("firing", 1.0), ("resolved", 2.0)]
    assert signals[0].id == signals[1].id and signals[0].samples[0].id == "e1"
    assert d.check_threads(0, t0 + 10 * SLA) == []  # nothing fires later


def test_a_reply_in_time_arriving_late_raises_nothing() -> None:
    t0 = T0.timestamp()
    d = detection()
    d.on_thread(0, complaint(t0))
    assert d.on_thread(0, reply(t0 + SLA - 1)) == []
    assert d.check_threads(0, t0 + 10 * SLA) == []


def test_a_wait_never_answered_is_forgotten_after_two_weeks() -> None:
    t0 = T0.timestamp()
    d = detection()
    d.on_thread(0, complaint(t0))
    [fired] = d.check_threads(0, t0 + SLA + 1)
    assert fired.status == "firing" and any(k.startswith("0|t|") for k in d.state)
    assert d.check_threads(0, t0 + 13 * 86400) == []
    assert any(k.startswith("0|t|") for k in d.state)  # still waiting after 13 days
    d.check_threads(0, t0 + 15 * 86400)
    assert not any(k.startswith("0|t|") for k in d.state)


def test_a_reply_counted_before_the_complaint_it_answers_still_answers_it() -> None:
    # complaint and reply travel through different partitions: the reply may come first
    t0 = T0.timestamp()
    d = detection()
    assert d.on_thread(0, reply(t0 + 600)) == []
    assert d.check_threads(0, t0 + 900) == []  # the watermark passes the reply meanwhile
    d.on_thread(0, complaint(t0))
    assert d.check_threads(0, t0 + 10 * SLA) == []
    assert not any(k.startswith("0|t|") for k in d.state)  # remembered a while, not for ever


def test_threads_added_by_another_worker_meanwhile_are_checked() -> None:
    # the partition moved to another worker and back: this worker's index of threads is stale
    t0 = T0.timestamp()
    state = RestoredTable()
    settings = DetectionSettings(sla_s={"email": SLA})
    here = Detection(state, settings, now=ManualClock(T0).now)
    elsewhere = Detection(state, settings, now=ManualClock(T0).now)
    assert here.check_threads(0, t0) == []  # the index is built: no thread yet
    elsewhere.on_thread(0, complaint(t0))
    state.restored[0] = 1  # back here, restored from the changelog with the other's writes
    [fired] = here.check_threads(0, t0 + SLA + 1)
    assert fired.status == "firing" and fired.key["thread"] == "t1"


def test_a_late_complaint_is_judged_at_the_next_tick_though_time_stands_still() -> None:
    # the history has ended: no time passes, but a complaint long past its SLA comes in late
    t0 = T0.timestamp()
    d = detection()
    end_ms = int((t0 + 3 * SLA) * 1000)
    d.on_watermark(0, 0, end_ms)
    assert d.advance(0) == []  # judged once at this time: nothing waits
    d.on_thread(0, complaint(t0))
    [fired] = [s for s in d.advance(0) if s.type == "unanswered"]
    assert fired.status == "firing"
    assert d.advance(0) == []  # and once


def test_a_late_reply_counted_before_its_complaint_still_shows_the_overdue_wait() -> None:
    t0 = T0.timestamp()
    d = detection()
    d.on_thread(0, reply(t0 + 600))  # an earlier wait's reply
    d.on_thread(0, reply(t0 + 2 * SLA))  # two hours past the SLA
    signals = d.on_thread(0, complaint(t0 + 900))
    assert [(s.status, s.observed) for s in signals] == [("firing", 1.0), ("resolved", 1.75)]
    assert signals[0].id == signals[1].id and signals[0].samples[0].id == "e1"
    assert signals[0].window_start == T0 + timedelta(seconds=900)
    assert d.check_threads(0, t0 + 10 * SLA) == []
