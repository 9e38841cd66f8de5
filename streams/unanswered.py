"""Detectors: complaints left without a staff reply past the response SLA, per thread.

Customers expect a reply within 6 hours. A complaint opens a wait on its
thread (``thread_id``, else the complaint's own ``external_id``); a staff reply
on the thread (``thread_id`` or ``reply_to``) ends every wait that began
before it. A wait past its channel's SLA fires once and resolves when the
reply comes. Times are event times, so replays judge as live would.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from radar.events import Channel, ScoredEvent

DEFAULT_SLA_S = 6 * 3600.0
MAX_SAMPLES = 5
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


@dataclass
class Thread:
    """A thread's wait for a staff reply."""

    channel: str
    key: str
    waiting_since: float | None = None  # first unanswered complaint (epoch seconds)
    last_reply: float | None = None
    fired_since: float | None = None  # the wait that fired, until it is answered
    samples: list[dict[str, Any]] = field(default_factory=list)

    def complaint(self, ts: float, sample: dict[str, Any]) -> None:
        if self.last_reply is not None and ts <= self.last_reply:
            return  # already answered (the reply was counted first)
        if self.waiting_since is None or ts < self.waiting_since:
            self.waiting_since = ts
        if all(s["id"] != sample["id"] for s in self.samples):
            self.samples = sorted([*self.samples, sample], key=lambda s: s["created_at"])
            self.samples = self.samples[:MAX_SAMPLES]

    def reply(self, ts: float) -> bool:
        """Record a staff reply; True when it answers a wait that had fired."""
        self.last_reply = max(ts, self.last_reply or ts)
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

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Thread:
        return cls(**state)
