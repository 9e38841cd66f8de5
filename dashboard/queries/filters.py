"""Dashboard queries: the filters every event query shares (dimensions and time range)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, type_coerce

from radar.localtime import DEFAULT_ZONE
from radar.store.duplicates import first_copy
from radar.store.listing import MessageFilter
from radar.store.tables import events

#: Filterable dimensions: URL parameter -> events column.
DIMENSIONS = {
    "channel": "channel",
    "product": "product",
    "region": "region",
    "shop": "shop",
    "segment": "segment",
    "stage": "stage",
}


@dataclass(frozen=True)
class Filters:
    """Which customer messages a view looks at; empty tuples mean "all".

    ``shops`` is the reader's scope, not a choice: a user given some shops sees
    only their messages, whatever else is chosen (the roll-ups keep no shop, so
    such views count from the events).
    """

    since: datetime
    until: datetime
    channel: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    #: the zone whose days and hours the views count by
    timezone: str = DEFAULT_ZONE
    shop: tuple[str, ...] = ()
    #: the shops the reader may see (None: every shop, and messages that name none)
    shops: tuple[str, ...] | None = None

    def conditions(self, *, time: bool = True) -> list[ColumnElement[bool]]:
        """WHERE terms on ``events``: customer messages matching the filters, each voice once
        (no staff replies, no likely duplicates: those are listed under their first copy)."""
        terms: list[ColumnElement[bool]] = [events.c.is_staff_reply.is_(False), first_copy()]
        if time:
            terms += [events.c.created_at >= self.since, events.c.created_at < self.until]
        for name, column in DIMENSIONS.items():
            wanted = getattr(self, name)
            if wanted:
                terms.append(events.c[column].in_(list(wanted)))
        if self.shops is not None:
            terms.append(events.c.shop.in_(list(self.shops)))
        return terms

    def messages(self, *, topic: str | None = None, complaints_only: bool = False) -> MessageFilter:
        """The same messages as a :class:`~radar.store.listing.MessageFilter` (lists, exports,
        response times), within the reader's shops."""
        return MessageFilter(
            since=self.since,
            until=self.until,
            channel=self.channel,
            product=self.product,
            region=self.region,
            shop=self.shop,
            segment=self.segment,
            stage=self.stage,
            topic=(topic,) if topic else (),
            complaint=True if complaints_only else None,
        ).within(self.shops)

    def with_time(self, since: datetime, until: datetime) -> Filters:
        return replace(self, since=since, until=until)

    @property
    def dimensions(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}


def within_shops(chosen: tuple[str, ...], scope: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The shops a view counts: those chosen in its shop filter, never beyond the reader's
    ``scope``; nothing chosen is the scope itself (None: every shop, and messages that name
    none). A choice wholly outside the scope is no shop at all, so the view is empty."""
    if not chosen:
        return scope
    if scope is None:
        return chosen
    return tuple(s for s in chosen if s in scope)


def millis(column: Any) -> ColumnElement[int]:
    """A time column as epoch milliseconds, for bucketing with ``//`` on both databases."""
    return type_coerce(column, BigInteger)


def bucket(column: Any, size_ms: int) -> ColumnElement[int]:
    """Start (epoch ms) of the ``size_ms`` bucket the time falls in."""
    return (millis(column) // size_ms) * size_ms
