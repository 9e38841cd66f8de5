"""Dashboard queries: bring every roll-up the views read up to date (hourly, daily, text sample)."""

from __future__ import annotations

from datetime import datetime

from radar.localtime import DEFAULT_ZONE
from radar.store import Store
from radar.store.daily import refresh_daily
from radar.store.rollups import ResponseSla, refresh_hourly_stats
from radar.store.samples import refresh_samples


def refresh_all(
    store: Store, sla: ResponseSla, now: datetime | None = None, timezone: str = DEFAULT_ZONE
) -> dict[str, int]:
    """Roll up events stored since the last refresh (incremental, idempotent); what was redone.

    Hours and days are those of ``timezone`` (the display zone).
    """
    return {
        "hours": refresh_hourly_stats(store, sla, now=now, timezone=timezone),
        "days": refresh_daily(store, now=now, timezone=timezone),
        "texts": refresh_samples(store, now=now),
    }
