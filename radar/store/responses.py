"""Store: response times. How long customers wait for the first staff reply, and who still waits.

A conversation is a thread on a channel where customers wait for staff (email,
chat, social, forum): the customer messages sharing ``thread_id`` (else one
message, by its ``external_id``) on one channel and source. It starts with its
first customer message in the period; its first reply is the first staff reply
on the same channel and source whose ``thread_id`` or ``reply_to`` names the
thread, at or after that message (the rule of the SLA share and the
``unanswered`` detector). Every copy of a likely duplicate is a conversation of
its own: each waits for its own reply.

Waits are summarised per channel, department, product (or region, segment,
stage): how many conversations, how many answered, the median and the 90th
percentile of the waits of the answered ones, and the share answered within the
channel's SLA among those whose deadline has passed. The backlog is every
conversation of the last :data:`BACKLOG_DAYS` days still waiting, by age.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from radar.store.feedback import Store
from radar.store.listing import MessageFilter
from radar.store.rollups import CONVERSATION_CHANNELS, ResponseSla
from radar.store.tables import events

#: What waits can be grouped by.
GROUPS = ("channel", "department", "product", "region", "segment", "stage", "shop")
#: The backlog looks this far back for conversations still waiting.
BACKLOG_DAYS = 30
#: Age buckets of the backlog: (code, upper bound in hours; None: no bound).
AGES: tuple[tuple[str, float | None], ...] = (
    ("lt_1h", 1),
    ("1h_6h", 6),
    ("6h_24h", 24),
    ("1d_3d", 72),
    ("gt_3d", None),
)
HOUR_S = 3600.0


@dataclass(frozen=True)
class Conversation:
    """One conversation: its first customer message and when staff first answered (or None)."""

    id: str
    channel: str
    source: str
    thread: str
    asked_at: datetime
    answered_at: datetime | None
    text: str = ""
    department: str | None = None
    product: str | None = None
    region: str | None = None
    segment: str | None = None
    stage: str | None = None
    shop: str | None = None
    is_complaint: bool = False

    @property
    def wait(self) -> timedelta | None:
        return None if self.answered_at is None else self.answered_at - self.asked_at


@dataclass(frozen=True)
class Waits:
    """How long one group's conversations waited for a first reply (hours)."""

    conversations: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    within_sla: float | None  # share answered within the SLA, of those past their deadline
    key: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.key,
            "conversations": self.conversations,
            "answered": self.answered,
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
            "within_sla": self.within_sla,
        }


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of sorted ``values``, interpolated linearly (numpy's default)."""
    if not values:
        return None
    position = (len(values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def _customer_messages(where: MessageFilter) -> Any:
    thread = func.coalesce(events.c.thread_id, events.c.external_id)
    # copies count: each conversation waits for its own reply
    scope = replace(where, staff_replies=False, duplicates=True)
    channels = [c for c in CONVERSATION_CHANNELS if not where.channel or c in where.channel]
    return select(
        events.c.id,
        events.c.channel,
        events.c.source,
        thread.label("thread"),
        events.c.created_at,
        events.c.text,
        events.c.department,
        events.c.product,
        events.c.region,
        events.c.segment,
        events.c.stage,
        events.c.shop,
        events.c.is_complaint,
    ).where(*scope.conditions(), events.c.channel.in_(channels))


def conversations(store: Store, where: MessageFilter, now: datetime) -> list[Conversation]:
    """Every conversation whose first customer message in ``where``'s period matches it, with
    its first staff reply up to ``now``."""
    first: dict[tuple[str, str, str], Any] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(_customer_messages(where)):
            key = (row.channel, row.source, row.thread)
            if key not in first or row.created_at < first[key].created_at:
                first[key] = row
        if not first:
            return []
        channels = sorted({k[0] for k in first})
        sources = sorted({k[1] for k in first})
        replies = select(
            events.c.channel,
            events.c.source,
            events.c.thread_id,
            events.c.reply_to,
            events.c.created_at,
        ).where(
            events.c.is_staff_reply.is_(True),
            events.c.created_at >= where.since,
            events.c.created_at <= now,
            events.c.channel.in_(channels),
            events.c.source.in_(sources),
        )
        answers: dict[tuple[str, str, str], list[datetime]] = defaultdict(list)
        for reply in conn.execute(replies):
            for named in {reply.thread_id, reply.reply_to} - {None}:
                answers[(reply.channel, reply.source, named)].append(reply.created_at)
    for times in answers.values():
        times.sort()
    found = []
    for key, row in first.items():
        times = answers.get(key, [])
        at = bisect.bisect_left(times, row.created_at)
        found.append(
            Conversation(
                id=row.id,
                channel=row.channel,
                source=row.source,
                thread=row.thread,
                asked_at=row.created_at,
                answered_at=times[at] if at < len(times) else None,
                text=row.text,
                department=row.department,
                product=row.product,
                region=row.region,
                segment=row.segment,
                stage=row.stage,
                shop=row.shop,
                is_complaint=bool(row.is_complaint),
            )
        )
    found.sort(key=lambda c: (c.asked_at, c.id))
    return found


def waits(
    found: Iterable[Conversation],
    sla: ResponseSla,
    now: datetime,
    key: dict[str, Any] | None = None,
) -> Waits:
    """How long ``found`` waited: counts, median and p90 of the answered, share within SLA."""
    items = list(found)
    hours = sorted(c.wait.total_seconds() / HOUR_S for c in items if c.wait is not None)
    due = [c for c in items if c.asked_at + timedelta(hours=sla.hours(c.channel)) <= now]
    in_time = [
        c for c in due if c.wait is not None and c.wait <= timedelta(hours=sla.hours(c.channel))
    ]
    return Waits(
        conversations=len(items),
        answered=len(hours),
        median_hours=quantile(hours, 0.5),
        p90_hours=quantile(hours, 0.9),
        within_sla=len(in_time) / len(due) if due else None,
        key=dict(key or {}),
    )


def waits_by(
    found: Iterable[Conversation], by: str, sla: ResponseSla, now: datetime
) -> list[Waits]:
    """:func:`waits` per value of ``by`` (one of :data:`GROUPS`), most conversations first;
    conversations without a value are grouped under None."""
    if by not in GROUPS:
        msg = f"cannot group response times by {by!r}; use one of {', '.join(GROUPS)}"
        raise ValueError(msg)
    groups: dict[str | None, list[Conversation]] = defaultdict(list)
    for conversation in found:
        groups[getattr(conversation, by)].append(conversation)
    summaries = [waits(items, sla, now, {by: value}) for value, items in groups.items()]
    return sorted(summaries, key=lambda w: (-w.conversations, str(w.key[by] or "")))


def age_bucket(age: timedelta) -> str:
    hours = age.total_seconds() / HOUR_S
    for code, bound in AGES:
        if bound is None or hours < bound:
            return code
    return AGES[-1][0]


def backlog(store: Store, where: MessageFilter, now: datetime) -> list[Conversation]:
    """Conversations of the last :data:`BACKLOG_DAYS` days (``where``'s filters, not its
    period) still waiting for a first reply at ``now``, the longest waiting first."""
    recent = replace(where, since=now - timedelta(days=BACKLOG_DAYS), until=now)
    waiting = [c for c in conversations(store, recent, now) if c.answered_at is None]
    return sorted(waiting, key=lambda c: (c.asked_at, c.id))


def backlog_by_age(waiting: Iterable[Conversation], now: datetime) -> list[dict[str, Any]]:
    """How many conversations wait, per age bucket and channel (buckets in :data:`AGES` order)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for conversation in waiting:
        counts[(age_bucket(now - conversation.asked_at), conversation.channel)] += 1
    order = {code: n for n, (code, _) in enumerate(AGES)}
    return [
        {"age": age, "channel": channel, "conversations": n}
        for (age, channel), n in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]


__all__ = [
    "AGES",
    "BACKLOG_DAYS",
    "GROUPS",
    "Conversation",
    "Waits",
    "age_bucket",
    "backlog",
    "backlog_by_age",
    "conversations",
    "quantile",
    "waits",
    "waits_by",
]
