"""Store: hourly per-channel statistics rolled up from the events, refreshed incrementally.

The overview reads these instead of scanning every event of a period, and adds
hours up into local days. Hours are those of the display time zone: UTC hours for
Beijing time and every zone a whole number of hours off, hours starting at :30 for
a zone half an hour off, so no hour straddles a local midnight. A refresh
recomputes, from the events table, every hour that received events since the
last refresh (by ``stored_at``), plus the hours a new staff reply may have
answered within the SLA; each hour is recomputed whole and upserted, so running
it twice, or from two processes at once, gives the same rows.

A likely duplicate (``duplicate_of`` set) is one customer saying it again: it
adds nothing to volume, complaints, sentiment, CSAT or NPS. The SLA counts keep
it, like the ``unanswered`` detector: each conversation waits for its own reply.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Float,
    Integer,
    String,
    Table,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    type_coerce,
)

from radar.clock import to_millis
from radar.localtime import DEFAULT_ZONE, offset_ms, zone
from radar.store.db import EpochMillis, metadata
from radar.store.duplicates import first_copy
from radar.store.feedback import Store, upsert
from radar.store.tables import events

HOUR_MS = 3_600_000
#: Channels where a customer waits for a staff reply (reviews and surveys get none).
CONVERSATION_CHANNELS = ("email", "chat", "social", "forum")
#: How roll-ups count; roll-ups written under another rule are rebuilt (older ones counted
#: every copy of a duplicate).
COUNTING = "copies-once"

hourly_stats = Table(
    "hourly_stats",
    metadata,
    Column("hour", BigInteger, primary_key=True),  # bucket start, epoch ms
    Column("channel", String(16), primary_key=True),
    Column("volume", Integer, nullable=False),  # customer messages, no staff replies or copies
    Column("complaints", Integer, nullable=False),
    Column("sentiment_sum", Float, nullable=False),
    Column("csat_n", Integer, nullable=False),
    Column("csat_satisfied", Integer, nullable=False),  # CSAT 4 or 5
    Column("nps_n", Integer, nullable=False),
    Column("promoters", Integer, nullable=False),  # NPS 9-10
    Column("detractors", Integer, nullable=False),  # NPS 0-6
    Column("staff_replies", Integer, nullable=False),
    Column("sla_complaints", Integer, nullable=False),  # complaints on conversations, copies too
    Column("sla_answered", Integer, nullable=False),  # ... answered by staff within the SLA
)

rollup_state = Table(
    "rollup_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("watermark", BigInteger),  # stored_at (ms) up to which events were rolled up
    Column("params", String(500), nullable=False),
    Column("refreshed_at", EpochMillis, nullable=False),
)

STAT_COLUMNS = tuple(c.name for c in hourly_stats.columns if c.name not in ("hour", "channel"))


@dataclass(frozen=True)
class ResponseSla:
    """How long a complaint may wait for a staff reply, per channel (hours)."""

    default_hours: float = 6.0
    hours_by_channel: Mapping[str, float] | None = None

    def hours(self, channel: str) -> float:
        return float((self.hours_by_channel or {}).get(channel, self.default_hours))

    @property
    def longest_ms(self) -> int:
        values = [self.default_hours, *(self.hours_by_channel or {}).values()]
        return int(max(values) * HOUR_MS)

    def key(self) -> str:
        return json.dumps(
            {"default": self.default_hours, "by_channel": dict(self.hours_by_channel or {})},
            sort_keys=True,
        )


def _millis(column: Any) -> ColumnElement[int]:
    return type_coerce(column, BigInteger)


def _answered_within(sla: ResponseSla) -> ColumnElement[bool]:
    """A staff reply on the complaint's thread, at or after it and within the channel's SLA."""
    reply = events.alias("reply")
    thread = func.coalesce(events.c.thread_id, events.c.external_id)
    limit = case(
        *[(events.c.channel == ch, sla.hours(ch) * HOUR_MS) for ch in CONVERSATION_CHANNELS],
        else_=sla.default_hours * HOUR_MS,
    )
    created, replied = _millis(events.c.created_at), _millis(reply.c.created_at)
    return exists(
        select(1)
        .select_from(reply)
        .where(
            reply.c.is_staff_reply.is_(True),
            reply.c.channel == events.c.channel,
            reply.c.source == events.c.source,
            or_(reply.c.thread_id == thread, reply.c.reply_to == thread),
            replied >= created,
            replied <= created + limit,
        )
    )


def hour_shift(timezone: str, at: datetime | None = None) -> int:
    """Where local hours start, in ms past the UTC hour (0 unless the zone is :30 or :45 off)."""
    when = at or datetime.now(UTC)
    return offset_ms(to_millis(when), zone(timezone)) % HOUR_MS


def _hour(created: Any, shift: int) -> Any:
    return ((created - shift) // HOUR_MS) * HOUR_MS + shift


def _aggregate(sla: ResponseSla, start_ms: int, end_ms: int, shift: int = 0) -> Any:
    created = _millis(events.c.created_at)
    hour = _hour(created, shift)
    asked = events.c.is_staff_reply.is_(False)
    customer = and_(asked, first_copy())  # a likely duplicate is one voice counted once
    complaint = and_(customer, events.c.is_complaint.is_(True))
    # every conversation waits for its own reply, a copy's too (as the unanswered detector)
    on_thread = and_(
        asked, events.c.is_complaint.is_(True), events.c.channel.in_(CONVERSATION_CHANNELS)
    )

    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            hour.label("hour"),
            events.c.channel,
            count(customer).label("volume"),
            count(complaint).label("complaints"),
            func.coalesce(func.sum(case((customer, events.c.sentiment), else_=0.0)), 0.0).label(
                "sentiment_sum"
            ),
            count(and_(customer, events.c.csat.is_not(None))).label("csat_n"),
            count(and_(customer, events.c.csat >= 4)).label("csat_satisfied"),
            count(and_(customer, events.c.nps.is_not(None))).label("nps_n"),
            count(and_(customer, events.c.nps >= 9)).label("promoters"),
            count(and_(customer, events.c.nps <= 6)).label("detractors"),
            count(events.c.is_staff_reply.is_(True)).label("staff_replies"),
            count(on_thread).label("sla_complaints"),
            count(and_(on_thread, _answered_within(sla))).label("sla_answered"),
        )
        .where(created >= start_ms, created < end_ms)
        .group_by(hour, events.c.channel)
    )


def runs(starts: Iterable[int], size_ms: int, max_len: int) -> list[tuple[int, int]]:
    """Consecutive bucket starts (ms) as [start, end) ranges of at most ``max_len`` buckets."""
    ranges: list[tuple[int, int]] = []
    for start in sorted(set(starts)):
        if ranges and ranges[-1][1] == start and (start - ranges[-1][0]) < max_len * size_ms:
            ranges[-1] = (ranges[-1][0], start + size_ms)
        else:
            ranges.append((start, start + size_ms))
    return ranges


def hour_ranges(hours: Iterable[int], max_hours: int = 24 * 7) -> list[tuple[int, int]]:
    """Runs of consecutive hour starts (ms) as [start, end) ranges of at most ``max_hours``."""
    return runs(hours, HOUR_MS, max_hours)


def read_watermark(conn: Connection, name: str, params: str) -> int | None:
    """Up to which ``stored_at`` (ms) roll-up ``name`` is current; None to rebuild it.

    A roll-up made with other parameters (another SLA) counts as never made.
    """
    state = conn.execute(select(rollup_state).where(rollup_state.c.name == name)).first()
    if state is None or state.params != params or state.watermark is None:
        return None
    return int(state.watermark)


def write_watermark(store: Store, name: str, watermark: int, params: str, at: datetime) -> None:
    row = {"name": name, "watermark": watermark, "params": params, "refreshed_at": at}
    with store.engine.begin() as conn:
        conn.execute(
            upsert(store.engine, rollup_state, ["watermark", "params", "refreshed_at"]), [row]
        )


def refresh_hourly_stats(
    store: Store,
    sla: ResponseSla | None = None,
    *,
    now: datetime | None = None,
    margin: timedelta = timedelta(minutes=5),
    timezone: str = DEFAULT_ZONE,
) -> int:
    """Bring ``hourly_stats`` up to date with the events; returns how many hours were recomputed.

    ``margin`` re-reads events stored shortly before the last watermark, for
    transactions that committed after it was taken. Another SLA, a zone whose
    hours start elsewhere, or hours counted under another rule rebuild every hour.
    """
    sla = sla or ResponseSla()
    at = now or store.clock.now()
    shift = hour_shift(timezone, at)
    params = f"{sla.key()} {COUNTING}" if shift == 0 else f"{sla.key()} +{shift} {COUNTING}"
    stored, created = _millis(events.c.stored_at), _millis(events.c.created_at)
    with store.engine.connect() as conn:
        watermark = read_watermark(conn, "hourly_stats", params)
        newest = conn.execute(select(func.max(stored))).scalar()
        if newest is None:
            return 0
        changed = select(_hour(created, shift), events.c.is_staff_reply).distinct()
        if watermark is not None:
            changed = changed.where(stored >= watermark - int(margin.total_seconds() * 1000))
        dirty: set[int] = set()
        for row in conn.execute(changed):
            hour, is_reply = int(row[0]), bool(row[1])
            dirty.add(hour)
            if is_reply:  # the complaints it may answer lie up to the longest SLA before it
                back = sla.longest_ms // HOUR_MS + 1
                dirty.update(hour - n * HOUR_MS for n in range(1, back + 1))
    if watermark is None:
        with store.engine.begin() as conn:  # hours aligned for another zone must not linger
            conn.execute(delete(hourly_stats))
    for start, end in hour_ranges(dirty):
        with store.engine.begin() as conn:
            rows = [dict(r._mapping) for r in conn.execute(_aggregate(sla, start, end, shift))]
            if rows:
                conn.execute(upsert(store.engine, hourly_stats, STAT_COLUMNS), rows)
    write_watermark(store, "hourly_stats", int(newest), params, at)
    return len(dirty)


def read_hourly_stats(store: Store, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Rolled-up rows with ``since <= hour < until``, oldest first."""
    query = (
        select(hourly_stats)
        .where(hourly_stats.c.hour >= to_millis(since), hourly_stats.c.hour < to_millis(until))
        .order_by(hourly_stats.c.hour, hourly_stats.c.channel)
    )
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
