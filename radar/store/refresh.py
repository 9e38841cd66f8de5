"""Store: bring every roll-up the readers use up to date (hourly, daily, text samples).

One stage owns the roll-ups: the worker that holds partition 0 of ``feedback.scored``
runs :func:`refresh_rollups` on a timer (:mod:`streams.rollups`), so the dashboard,
the API and the digests only read. ``radar dashboard`` runs it once before serving
too, for a store no worker keeps (a copy, a backup being looked at).
"""

from __future__ import annotations

from datetime import datetime

from radar.localtime import DEFAULT_ZONE
from radar.store.daily import refresh_daily
from radar.store.feedback import Store
from radar.store.rollups import ResponseSla, refresh_hourly_stats
from radar.store.samples import refresh_samples


def refresh_rollups(
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
