"""Store: pipeline health samples (consumer lag and throughput per service and consumer group).

Services that consume Kafka write a sample every few seconds with
:func:`record_pipeline_stats`; the dashboard reads them and never talks to Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Float, Index, Integer, String, Table, delete, func, insert, select

from radar.store.db import EpochMillis, metadata
from radar.store.feedback import Store

pipeline_stats = Table(
    "pipeline_stats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service", String(100), nullable=False),
    Column("consumer_group", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("at", EpochMillis, nullable=False),
    Column("lag", Integer, nullable=False),
    Column("records_per_s", Float, nullable=False),
    Column("records_total", Integer),
    Index("ix_pipeline_stats_at", "at"),
    Index("ix_pipeline_stats_group_at", "service", "consumer_group", "topic", "at"),
)


@dataclass(frozen=True)
class PipelineSample:
    """One sample: how far a consumer group is behind on a topic, and how fast it reads."""

    service: str
    consumer_group: str
    topic: str
    at: datetime
    lag: int
    records_per_s: float
    records_total: int | None = None


def record_pipeline_stats(
    store: Store,
    *,
    service: str,
    consumer_group: str,
    topic: str,
    lag: int,
    records_per_s: float,
    records_total: int | None = None,
    now: datetime | None = None,
    keep: timedelta = timedelta(days=7),
) -> None:
    """Write one sample (lag = messages behind the log end, summed over partitions).

    Samples older than ``keep`` are dropped on the way, so the table stays small.
    """
    if lag < 0 or records_per_s < 0:
        msg = f"lag and records_per_s must not be negative (got {lag}, {records_per_s})"
        raise ValueError(msg)
    at = now or store.clock.now()
    row = {
        "service": service,
        "consumer_group": consumer_group,
        "topic": topic,
        "at": at,
        "lag": int(lag),
        "records_per_s": float(records_per_s),
        "records_total": records_total,
    }
    with store.engine.begin() as conn:
        conn.execute(insert(pipeline_stats), [row])
        conn.execute(delete(pipeline_stats).where(pipeline_stats.c.at < at - keep))


def latest_pipeline_stats(store: Store) -> list[PipelineSample]:
    """The newest sample of every (service, consumer group, topic)."""
    key = (pipeline_stats.c.service, pipeline_stats.c.consumer_group, pipeline_stats.c.topic)
    newest = (
        select(*key, func.max(pipeline_stats.c.at).label("at")).group_by(*key).subquery("newest")
    )
    query = (
        select(pipeline_stats)
        .join(
            newest,
            (pipeline_stats.c.service == newest.c.service)
            & (pipeline_stats.c.consumer_group == newest.c.consumer_group)
            & (pipeline_stats.c.topic == newest.c.topic)
            & (pipeline_stats.c.at == newest.c.at),
        )
        .order_by(pipeline_stats.c.service, pipeline_stats.c.topic)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    seen: dict[tuple[str, str, str], PipelineSample] = {}
    for r in rows:
        seen[(r.service, r.consumer_group, r.topic)] = _sample(r)
    return list(seen.values())


def pipeline_stats_since(store: Store, since: datetime) -> list[PipelineSample]:
    """Every sample since ``since``, oldest first (lag and throughput over time)."""
    query = (
        select(pipeline_stats)
        .where(pipeline_stats.c.at >= since)
        .order_by(pipeline_stats.c.at, pipeline_stats.c.id)
    )
    with store.engine.connect() as conn:
        return [_sample(r) for r in conn.execute(query)]


def _sample(r: object) -> PipelineSample:
    return PipelineSample(
        service=r.service,  # type: ignore[attr-defined]
        consumer_group=r.consumer_group,  # type: ignore[attr-defined]
        topic=r.topic,  # type: ignore[attr-defined]
        at=r.at,  # type: ignore[attr-defined]
        lag=int(r.lag),  # type: ignore[attr-defined]
        records_per_s=float(r.records_per_s),  # type: ignore[attr-defined]
        records_total=r.records_total,  # type: ignore[attr-defined]
    )
