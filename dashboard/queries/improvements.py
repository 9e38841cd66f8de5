"""Dashboard queries for 改进追踪 Improvement tracking: complaints and volume in a scope."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from dashboard.queries import counts
from dashboard.queries.filters import Filters
from radar.localtime import DEFAULT_ZONE
from radar.store import Store
from radar.store.daily import DAY_MS
from radar.store.improvements import ImprovementAction


def _filters(
    action: ImprovementAction,
    since: datetime,
    until: datetime,
    timezone: str,
    shops: tuple[str, ...] | None = None,
) -> Filters:
    return Filters(
        since,
        until,
        product=(action.product,) if action.product else (),
        region=(action.region,) if action.region else (),
        timezone=timezone,
        shops=shops,
    )


def _per_bucket(
    store: Store,
    action: ImprovementAction,
    since: datetime,
    until: datetime,
    bucket_ms: int,
    timezone: str,
    shops: tuple[str, ...] | None = None,
) -> tuple[dict[int, int], dict[int, int]]:
    """(complaints in scope, customer messages in scope) per local bucket start (within
    ``shops``: counted from the events, the roll-ups keep no shop)."""
    scope = _filters(action, since, until, timezone, shops)
    volume = counts.scope_counts(store, scope, bucket_ms)
    if action.topic:
        with_topic = counts.topic_counts(store, scope, bucket_ms, topic=action.topic)
        complaints = with_topic.groupby("bucket_ms")["complaints"].sum()
    else:
        complaints = volume.groupby("bucket_ms")["complaints"].sum()
    messages = volume.groupby("bucket_ms")["messages"].sum()
    return (
        {int(b): int(n) for b, n in complaints.items()},
        {int(b): int(n) for b, n in messages.items()},
    )


def scope_counts(
    store: Store,
    action: ImprovementAction,
    since: datetime,
    until: datetime,
    timezone: str = DEFAULT_ZONE,
    shops: tuple[str, ...] | None = None,
) -> tuple[int, int]:
    """(complaints, customer messages) in the action's scope between ``since`` and ``until``."""
    complaints, volume = _per_bucket(store, action, since, until, DAY_MS, timezone, shops)
    return sum(complaints.values()), sum(volume.values())


def scope_series(
    store: Store,
    action: ImprovementAction,
    since: datetime,
    until: datetime,
    bucket_ms: int,
    timezone: str = DEFAULT_ZONE,
    shops: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Complaints and messages per local bucket in the scope (the before/after chart);
    ``time`` is the bucket's start in ``timezone``."""
    complaints, volume = _per_bucket(store, action, since, until, bucket_ms, timezone, shops)
    rows = [(b, complaints.get(b, 0), n) for b, n in sorted(volume.items())]
    frame = pd.DataFrame(rows, columns=["bucket_ms", "complaints", "volume"])
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True).dt.tz_convert(timezone)
    frame["complaint_rate"] = frame["complaints"] / frame["volume"].where(frame["volume"] > 0)
    return frame
