"""Alerts: quiet hours, daily windows in which non-critical notifications wait until morning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.config import WEEKDAYS, QuietHours
from alerts.values import CRITICAL


def window_end(window: QuietHours, now: datetime) -> datetime | None:
    """When ``window`` ends if ``now`` is inside it (UTC), else None.

    A window whose end is not after its start runs past midnight (22:00–08:00);
    ``weekdays`` name the day a window starts on; start == end means all day.
    """
    zone = ZoneInfo(window.timezone)
    local = now.astimezone(zone)
    for days_back in (0, 1):
        day = local.date() - timedelta(days=days_back)
        if WEEKDAYS[day.weekday()] not in window.weekdays:
            continue
        start = datetime.combine(day, window.start, tzinfo=zone)
        end = datetime.combine(day, window.end, tzinfo=zone)
        if end <= start:
            end += timedelta(days=1)
        if start <= local < end:
            return end.astimezone(UTC)
    return None


def held_until(windows: Iterable[QuietHours], severity: int, now: datetime) -> datetime | None:
    """Until when a notification of ``severity`` waits (None: send now; critical never waits)."""
    if severity >= CRITICAL:
        return None
    ends = [end for w in windows if (end := window_end(w, now)) is not None]
    return max(ends) if ends else None
