"""Store: improvement actions product teams record, to measure their effect (跟踪改进效果).

An action ships on a day of the display time zone: "shipped on 2026-12-07" in
Beijing is kept as the instant of that local midnight (2026-12-06 16:00 UTC; the
store keeps UTC), and read back as a local date (:meth:`ImprovementAction.shipped_on`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Column, Index, Integer, String, Table, Text, insert, select

from radar.clock import from_millis, to_millis
from radar.localtime import DEFAULT_ZONE, local_date, midnight, zone
from radar.store.db import EpochMillis, metadata
from radar.store.feedback import Store

improvement_actions = Table(
    "improvement_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("topic", String(64)),
    Column("product", String(200)),
    Column("region", String(100)),
    Column("shipped_at", EpochMillis, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Index("ix_improvement_actions_shipped", "shipped_at"),
)


@dataclass(frozen=True)
class ImprovementAction:
    """What was changed, where (topic / product / region; None = all), when and by whom."""

    id: int
    title: str
    topic: str | None
    product: str | None
    region: str | None
    shipped_at: datetime
    owner: str
    created_by: str
    created_at: datetime

    @property
    def scope(self) -> dict[str, str]:
        given = {"topic": self.topic, "product": self.product, "region": self.region}
        return {k: v for k, v in given.items() if v}

    def shipped_on(self, timezone: str = DEFAULT_ZONE) -> date:
        """The local day it shipped: the date the user picked when it was recorded there."""
        return local_date(to_millis(self.shipped_at), zone(timezone))


def shipped_at_for(day: date, timezone: str = DEFAULT_ZONE) -> datetime:
    """The instant kept for "shipped on ``day``" in ``timezone``: that day's local midnight."""
    return from_millis(midnight(day, zone(timezone)))


def record_improvement(
    store: Store,
    *,
    title: str,
    shipped_at: datetime,
    owner: str,
    created_by: str,
    topic: str | None = None,
    product: str | None = None,
    region: str | None = None,
    now: datetime | None = None,
) -> ImprovementAction:
    """Store an improvement action; every field is checked so the record can be measured."""
    title, owner = title.strip(), owner.strip()
    if not title:
        msg = "say what was changed (the title is empty)"
        raise ValueError(msg)
    if not owner:
        msg = "name the owner of the improvement"
        raise ValueError(msg)
    if shipped_at.tzinfo is None:
        msg = "shipped_at must be timezone-aware"
        raise ValueError(msg)
    row = {
        "title": title,
        "topic": topic or None,
        "product": product or None,
        "region": region or None,
        "shipped_at": shipped_at,
        "owner": owner,
        "created_by": created_by,
        "created_at": now or store.clock.now(),
    }
    with store.engine.begin() as conn:
        new_id = conn.execute(insert(improvement_actions).values(**row)).inserted_primary_key
    assert new_id is not None
    return ImprovementAction(id=int(new_id[0]), **row)  # type: ignore[arg-type]


def list_improvements(store: Store) -> list[ImprovementAction]:
    """Every recorded action, the most recently shipped first."""
    query = select(improvement_actions).order_by(
        improvement_actions.c.shipped_at.desc(), improvement_actions.c.id.desc()
    )
    with store.engine.connect() as conn:
        return [
            ImprovementAction(**{c: r._mapping[c] for c in ImprovementAction.__dataclass_fields__})
            for r in conn.execute(query)
        ]
