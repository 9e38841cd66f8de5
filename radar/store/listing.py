"""Store: customer messages by filter, newest first, a page at a time, and their key figures.

What the HTTP API lists and exports read. A :class:`MessageFilter` says which
messages (time, channel, product, topic, region, shop, segment, stage,
complaints, severity) and, with ``shops``, which shops the reader may see at
all: a reader limited to some shops never gets a message of another shop, nor
one that names no shop. Like the dashboard, lists hold customer messages, each
voice once (no staff replies, no likely duplicates) unless asked otherwise.

Pages are cut by a cursor on (``created_at``, ``id``), so a page never repeats
or skips a message when new ones arrive between two requests.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, func, or_, select, type_coerce

from radar.clock import from_millis, to_millis
from radar.errors import RadarError
from radar.localtime import DAY_MS, DEFAULT_ZONE, zone
from radar.store.daily import local_bucket
from radar.store.duplicates import first_copy
from radar.store.feedback import Store
from radar.store.tables import event_topics, events

#: Filter dimensions that are plain event columns (URL parameter = column).
DIMENSIONS = ("channel", "product", "region", "shop", "segment", "stage")
#: Dimensions key figures can be grouped by, besides the local ``day``.
GROUPS = (*DIMENSIONS, "department", "day")
#: Every field of a listed message, in the order exports show them.
FIELDS = (
    "id",
    "created_at",
    "channel",
    "source",
    "external_id",
    "shop",
    "product",
    "region",
    "segment",
    "stage",
    "department",
    "topics",
    "is_complaint",
    "severity",
    "sentiment",
    "sentiment_label",
    "rating",
    "csat",
    "nps",
    "reach",
    "title",
    "text",
    "author",
    "url",
    "thread_id",
    "reply_to",
    "is_staff_reply",
    "duplicate_of",
    "crisis_terms",
    "lang",
    "ingested_at",
)
TIME_FIELDS = ("created_at", "ingested_at")
#: Most messages one page (or one export) holds.
MAX_PAGE = 500
MAX_EXPORT = 50_000


class BadCursor(RadarError):
    """A page cursor that this store did not hand out."""


@dataclass(frozen=True)
class MessageFilter:
    """Which messages: empty tuples mean every value; ``shops`` None means every shop."""

    since: datetime
    until: datetime
    channel: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    shop: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    complaint: bool | None = None
    min_severity: int | None = None
    staff_replies: bool = False
    duplicates: bool = False
    #: the shops the reader may see (None: every shop, and messages that name none)
    shops: tuple[str, ...] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE terms on ``events`` for these messages."""
        terms: list[ColumnElement[bool]] = [
            events.c.created_at >= self.since,
            events.c.created_at < self.until,
        ]
        if not self.staff_replies:
            terms.append(events.c.is_staff_reply.is_(False))
        if not self.duplicates:
            terms.append(first_copy())
        for name in DIMENSIONS:
            wanted = getattr(self, name)
            if wanted:
                terms.append(events.c[name].in_(list(wanted)))
        if self.shops is not None:
            terms.append(events.c.shop.in_(list(self.shops)))
        if self.topic:
            terms.append(
                events.c.id.in_(
                    select(event_topics.c.event_id).where(
                        event_topics.c.topic.in_(list(self.topic)),
                        event_topics.c.created_at >= self.since,
                        event_topics.c.created_at < self.until,
                    )
                )
            )
        if self.complaint is not None:
            terms.append(events.c.is_complaint.is_(self.complaint))
        if self.min_severity is not None:
            terms.append(events.c.severity >= self.min_severity)
        return terms

    def within(self, shops: Sequence[str] | None) -> MessageFilter:
        """The filter limited to ``shops`` as well (None: no limit)."""
        if shops is None:
            return self
        allowed = tuple(shops) if self.shops is None else tuple(s for s in self.shops if s in shops)
        return replace(self, shops=allowed)


@dataclass(frozen=True)
class Page:
    """One page of messages and the cursor of the next (None on the last page)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None


def encode_cursor(created_at: datetime, event_id: str) -> str:
    raw = f"{to_millis(created_at)}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """(epoch ms, id) of a cursor; raises :class:`BadCursor` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        millis, _, event_id = raw.partition("|")
        if not event_id:
            raise ValueError(raw)
        return int(millis), event_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        msg = "not a cursor of this API: pass next_cursor from the previous page as it came"
        raise BadCursor(msg) from exc


def _row(values: Any) -> dict[str, Any]:
    row = {name: values._mapping[name] for name in FIELDS}
    row["topics"] = list(row["topics"] or [])
    row["crisis_terms"] = list(row["crisis_terms"] or [])
    return row


def list_messages(
    store: Store, where: MessageFilter, *, limit: int = 100, cursor: str | None = None
) -> Page:
    """The newest messages matching ``where``, ``limit`` at a time (at most :data:`MAX_PAGE`)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(*(events.c[name] for name in FIELDS)).where(*where.conditions())
    if cursor:
        millis, event_id = decode_cursor(cursor)
        at = from_millis(millis)
        query = query.where(
            or_(
                events.c.created_at < at,
                and_(events.c.created_at == at, events.c.id < event_id),
            )
        )
    query = query.order_by(events.c.created_at.desc(), events.c.id.desc()).limit(limit + 1)
    with store.engine.connect() as conn:
        rows = [_row(r) for r in conn.execute(query)]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return Page(rows, next_cursor)


def iter_messages(
    store: Store, where: MessageFilter, *, max_rows: int = MAX_EXPORT
) -> Iterator[dict[str, Any]]:
    """Every message matching ``where``, newest first, at most ``max_rows`` (exports)."""
    cursor: str | None = None
    left = max_rows
    while left > 0:
        page = list_messages(store, where, limit=min(MAX_PAGE, left), cursor=cursor)
        yield from page.items
        left -= len(page.items)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def get_message(
    store: Store, event_id: str, shops: Sequence[str] | None = None
) -> dict[str, Any] | None:
    """One message by id (staff replies and copies too); None when absent or of another shop."""
    query = select(*(events.c[name] for name in FIELDS)).where(events.c.id == event_id)
    if shops is not None:
        query = query.where(events.c.shop.in_(list(shops)))
    with store.engine.connect() as conn:
        found = conn.execute(query).first()
    return None if found is None else _row(found)


@dataclass(frozen=True)
class Figures:
    """Key figures of a set of customer messages (rates 0..1, NPS -100..100, stars 1..5)."""

    volume: int = 0
    complaints: int = 0
    sentiment_sum: float = 0.0
    csat_n: int = 0
    csat_satisfied: int = 0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    rating_n: int = 0
    rating_sum: int = 0
    key: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def _share(part: float, whole: float) -> float | None:
        return None if whole == 0 else part / whole

    def as_dict(self) -> dict[str, Any]:
        nps = self._share(self.promoters - self.detractors, self.nps_n)
        return {
            **self.key,
            "volume": self.volume,
            "complaints": self.complaints,
            "complaint_rate": self._share(self.complaints, self.volume),
            "sentiment": self._share(self.sentiment_sum, self.volume),
            "csat": self._share(self.csat_satisfied, self.csat_n),
            "csat_answers": self.csat_n,
            "nps": None if nps is None else 100 * nps,
            "nps_answers": self.nps_n,
            "rating": self._share(self.rating_sum, self.rating_n),
            "ratings": self.rating_n,
        }


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def key_figures(
    store: Store, where: MessageFilter, by: str | None = None, timezone: str = DEFAULT_ZONE
) -> tuple[Figures, list[Figures]]:
    """Figures of every message matching ``where``, and per value of ``by`` (or local day)."""
    if by is not None and by not in GROUPS:
        msg = f"cannot group by {by!r}; use one of {', '.join(GROUPS)}"
        raise ValueError(msg)
    measures = [
        func.count().label("volume"),
        _count(events.c.is_complaint.is_(True)).label("complaints"),
        func.coalesce(func.sum(events.c.sentiment), 0.0).label("sentiment_sum"),
        _count(events.c.csat.is_not(None)).label("csat_n"),
        _count(events.c.csat >= 4).label("csat_satisfied"),
        _count(events.c.nps.is_not(None)).label("nps_n"),
        _count(events.c.nps >= 9).label("promoters"),
        _count(events.c.nps <= 6).label("detractors"),
        _count(events.c.rating.is_not(None)).label("rating_n"),
        func.coalesce(func.sum(events.c.rating), 0).label("rating_sum"),
    ]
    groups: list[Figures] = []
    with store.engine.connect() as conn:
        total = conn.execute(select(*measures).where(*where.conditions())).one()
        if by is not None:
            if by == "day":
                column: Any = local_bucket(
                    type_coerce(events.c.created_at, BigInteger),
                    DAY_MS,
                    zone(timezone),
                    to_millis(where.since),
                    to_millis(where.until),
                )
            else:
                column = events.c[by]
            query = (
                select(column.label("value"), *measures)
                .where(*where.conditions())
                .group_by(column)
                .order_by(column)
            )
            for row in conn.execute(query):
                value = row.value
                if by == "day":
                    value = from_millis(int(value)).astimezone(zone(timezone)).date().isoformat()
                groups.append(_figures(row, {by: value}))
    return _figures(total, {}), groups


def _figures(row: Any, key: dict[str, Any]) -> Figures:
    return Figures(
        volume=int(row.volume or 0),
        complaints=int(row.complaints or 0),
        sentiment_sum=float(row.sentiment_sum or 0.0),
        csat_n=int(row.csat_n or 0),
        csat_satisfied=int(row.csat_satisfied or 0),
        nps_n=int(row.nps_n or 0),
        promoters=int(row.promoters or 0),
        detractors=int(row.detractors or 0),
        rating_n=int(row.rating_n or 0),
        rating_sum=int(row.rating_sum or 0),
        key=key,
    )


__all__ = [
    "DIMENSIONS",
    "FIELDS",
    "GROUPS",
    "MAX_EXPORT",
    "MAX_PAGE",
    "BadCursor",
    "Figures",
    "MessageFilter",
    "Page",
    "get_message",
    "iter_messages",
    "key_figures",
    "list_messages",
]
