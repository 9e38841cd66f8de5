"""Detectors: complaints left without a staff reply past the response SLA, per thread.

Customers expect a reply within 6 hours. A complaint opens a wait on its
thread (``thread_id``, else the complaint's own ``external_id``); a staff reply
on the thread (``thread_id`` or ``reply_to``) ends every wait that began
before it. A wait past its channel's SLA fires once and resolves when the
reply comes. Times are event times, so replays judge as live would.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, MutableMapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from radar.events import Channel, ScoredEvent, Signal
from streams.protocol import SampleRecord, ThreadItem, sample_of
from streams.signals import at, samples_of, signal_id
from streams.state import KeyFamily

DEFAULT_SLA_S = 6 * 3600.0
MAX_SAMPLES = 5
MAX_REPLIES = 8  # reply times a thread keeps, to answer complaints counted after them
#: A wait that fired and was never answered is forgotten this long after it began
#: (event time), so abandoned threads do not accumulate in the worker for ever.
FORGET_AFTER_S = 14 * 86400.0
#: Channels where a customer waits for an answer on the thread (a review or a survey does not).
CONVERSATION_CHANNELS: tuple[Channel, ...] = ("email", "chat", "social", "forum")


def awaits_reply(event: ScoredEvent, channels: Collection[str] = CONVERSATION_CHANNELS) -> bool:
    """Whether the event opens or ends a wait: a complaint or a staff reply in a conversation."""
    return event.channel in channels and (event.is_staff_reply or event.is_complaint)


def thread_keys(event: ScoredEvent) -> list[str]:
    """The thread keys an event speaks for: a complaint's one thread, a reply's references."""
    prefix = f"{event.channel}|{event.source}|"
    if event.is_staff_reply:
        refs = [r for r in (event.thread_id, event.reply_to) if r]
        return [prefix + r for r in dict.fromkeys(refs)]
    return [prefix + (event.thread_id or event.external_id)]


def thread_items(
    event: ScoredEvent, channels: Collection[str] = CONVERSATION_CHANNELS
) -> list[ThreadItem]:
    """What the unanswered detector needs of an event: complaints and staff replies only."""
    if not awaits_reply(event, channels):
        return []
    ts = event.created_at.timestamp()
    if event.is_staff_reply:
        return [
            ThreadItem(thread=key, channel=event.channel, ts=ts, event="reply")
            for key in thread_keys(event)
        ]
    sample = sample_of(event)
    return [
        ThreadItem(thread=key, channel=event.channel, ts=ts, event="complaint", sample=sample)
        for key in thread_keys(event)
    ]


@dataclass
class Thread:
    """A thread's wait for a staff reply."""

    channel: str
    key: str
    waiting_since: float | None = None  # first unanswered complaint (epoch seconds)
    last_reply: float | None = None
    fired_since: float | None = None  # the wait that fired, until it is answered
    samples: list[dict[str, Any]] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)  # the latest staff replies' times

    def complaint(self, ts: float, sample: SampleRecord) -> float | None:
        """Record a complaint; returns when it was answered if a reply was counted first."""
        answered = next((r for r in self.replies if r >= ts), None)
        if answered is None and self.last_reply is not None and ts <= self.last_reply:
            answered = self.last_reply  # a state from before the replies were kept
        if answered is not None:
            return answered
        if self.waiting_since is None or ts < self.waiting_since:
            self.waiting_since = ts
        if all(s["id"] != sample["id"] for s in self.samples):
            samples = [*self.samples, dict(sample)]
            self.samples = sorted(samples, key=lambda s: str(s["created_at"]))
            self.samples = self.samples[:MAX_SAMPLES]
        return None

    def reply(self, ts: float) -> bool:
        """Record a staff reply; True when it answers a wait that had fired."""
        self.last_reply = max(ts, self.last_reply or ts)
        self.replies = sorted([*self.replies, ts])[-MAX_REPLIES:]
        if self.waiting_since is None or ts < self.waiting_since:
            return False
        answered = self.fired_since is not None
        self.waiting_since, self.fired_since, self.samples = None, None, []
        return answered

    def due(self, now: float, sla_s: float) -> bool:
        """True once, when the wait passes the SLA at event time ``now``."""
        if self.waiting_since is None or self.fired_since is not None:
            return False
        if now - self.waiting_since >= sla_s:
            self.fired_since = self.waiting_since
            return True
        return False

    @property
    def idle(self) -> bool:
        return self.waiting_since is None and self.fired_since is None

    def forgettable(self, now: float, sla_s: float) -> bool:
        """Nothing waits, and the last reply is too old to answer a complaint still on its
        way (a reply can be counted before the complaint it answers: they travel apart)."""
        return self.idle and (self.last_reply is None or now - self.last_reply > sla_s)

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Thread:
        return cls(**state)


class ThreadTracker:
    """Waits per thread in the detection state (``{mp}|t|{thread}``), and their signals.

    Which threads a partition has is indexed (:class:`streams.state.KeyFamily`):
    checking them at every closed window reads no other key of the state.
    """

    def __init__(
        self,
        state: MutableMapping[str, Any],
        sla_s: Mapping[str, float],
        now: Callable[[], datetime],
    ) -> None:
        self.state = state
        self.sla_s = sla_s
        self.now = now
        self.threads = KeyFamily(state, "t")

    def sla(self, channel: str) -> float:
        return self.sla_s.get(channel, DEFAULT_SLA_S)

    def on_thread(self, mp: int, item: ThreadItem) -> list[Signal]:
        """A complaint or a staff reply on a thread."""
        key = f"{mp}|t|{item.thread}"
        stored = self.threads.get(key)
        thread = Thread.from_state(stored) if stored else Thread(item.channel, item.thread)
        signals: list[Signal] = []
        if item.event == "reply":
            due = thread.due(item.ts, self.sla(thread.channel))
            if due and thread.fired_since is not None:
                # overdue before the reply came, whether or not the watermark showed it yet
                signals.append(self.signal(thread, "firing", item.ts, thread.fired_since))
            fired, samples = thread.fired_since, thread.samples
            if thread.reply(item.ts) and fired is not None:
                answered = Thread(thread.channel, thread.key, samples=samples)
                signals.append(self.signal(answered, "resolved", item.ts, fired))
        elif item.sample is not None:
            answered_at = thread.complaint(item.ts, item.sample)
            if answered_at is not None and answered_at - item.ts >= self.sla(thread.channel):
                # a reply counted before the complaint, but past the SLA: the wait was
                # overdue all the same, and answered already
                late = Thread(thread.channel, thread.key, samples=[dict(item.sample)])
                signals.append(self.signal(late, "firing", answered_at, item.ts))
                signals.append(self.signal(late, "resolved", answered_at, item.ts))
        if thread.idle and thread.last_reply is None and stored is None:
            return signals
        self.threads.set(mp, key, thread.to_state())
        return signals

    def check(self, mp: int, now_s: float) -> list[Signal]:
        """Waits past their SLA at event time ``now_s`` fire (once); answered ones are dropped."""
        signals = []
        for key, value in list(self.threads.items(mp)):
            thread = Thread.from_state(value)
            if thread.due(now_s, self.sla(thread.channel)):
                self.threads.set(mp, key, thread.to_state())
                since = thread.fired_since if thread.fired_since is not None else now_s
                signals.append(self.signal(thread, "firing", now_s, since))
            elif thread.forgettable(now_s, self.sla(thread.channel)) or (
                thread.fired_since is not None and now_s - thread.fired_since > FORGET_AFTER_S
            ):
                self.threads.delete(mp, key)
        return signals

    def signal(self, thread: Thread, status: str, now_s: float, since: float) -> Signal:
        """Firing is stamped at the deadline, resolving at the reply: both are event times,
        so the signal does not depend on when the watermark happened to pass."""
        sla = self.sla(thread.channel)
        end = since + sla if status == "firing" else now_s
        return Signal(
            id=signal_id("unanswered", thread.key, since),
            type="unanswered",
            key={"channel": thread.channel, "thread": thread.key.split("|", 2)[2]},
            status="firing" if status == "firing" else "resolved",
            window_start=at(since),
            window_end=at(end),
            observed=round((end - since) / 3600, 3),
            expected=round(sla / 3600, 3),
            score=1.0 if status == "firing" else 0.0,
            statistic="hours_without_staff_reply",
            severity=1 if status == "firing" else 0,
            samples=samples_of(thread.samples),
            detected_at=self.now(),
            details={"source": thread.key.split("|", 2)[1], "sla_hours": sla / 3600},
        )
