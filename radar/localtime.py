"""Shared kernel: the display time zone; local days as UTC instants (the store keeps UTC).

Times people read, and the days figures are counted by, are in the zone of
``RADAR_TIMEZONE`` (Beijing time by default). A local day is named by the UTC
epoch milliseconds of its local midnight, so a Beijing day starts at 16:00 UTC
the evening before. Zones with summer time have 23- and 25-hour days; every
helper here walks real midnights, never ``n * 86400`` seconds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from radar.clock import ensure_utc, from_millis

DEFAULT_ZONE = "Asia/Shanghai"
DAY_MS = 86_400_000
#: The day 1970-01-01 is day 0 (``date.toordinal`` of that day minus this).
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@cache
def zone(name: str = DEFAULT_ZONE) -> ZoneInfo:
    """The zone ``name`` (an IANA name such as Asia/Shanghai); raises for unknown names."""
    return ZoneInfo(name)


def local(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` (aware) as wall-clock time in ``tz``."""
    return ensure_utc(value).astimezone(tz)


def midnight(day: date, tz: ZoneInfo) -> int:
    """Epoch ms of the first instant of the local ``day`` in ``tz``."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    # a zone whose clocks jump over midnight starts the day at the first hour that exists
    return round(start.astimezone(UTC).timestamp() * 1000)


def local_date(ms: int, tz: ZoneInfo) -> date:
    """The local date of the instant ``ms`` (epoch ms)."""
    return from_millis(ms).astimezone(tz).date()


def day_start(ms: int, tz: ZoneInfo) -> int:
    """Epoch ms of the local midnight that starts the day the instant ``ms`` falls in."""
    return midnight(local_date(ms, tz), tz)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the local calendar's count, whatever the zone)."""
    return day.toordinal() - _EPOCH_ORDINAL


def bucket_start(ms: int, tz: ZoneInfo, days: int = 1) -> int:
    """Start of the ``days``-long local bucket of ``ms``; buckets are counted from 1970-01-01."""
    day = local_date(ms, tz)
    first = day - timedelta(days=day_number(day) % days)
    return midnight(first, tz)


def bucket_starts(since_ms: int, until_ms: int, tz: ZoneInfo, days: int = 1) -> list[int]:
    """Starts of every ``days``-long local bucket overlapping ``[since, until)``, in order,
    followed by the end of the last one (so consecutive pairs are the buckets)."""
    first = local_date(bucket_start(since_ms, tz, days), tz)
    starts = [midnight(first, tz)]
    while starts[-1] < until_ms:
        first += timedelta(days=days)
        starts.append(midnight(first, tz))
    return starts


def fixed_offset_ms(tz: ZoneInfo, since_ms: int, until_ms: int) -> int | None:
    """The zone's UTC offset (ms) when it is the same all through ``[since, until]``, else None.

    Beijing time never changes, so day arithmetic can stay in SQL; a zone that
    switches to summer time inside the range needs the real midnights.
    """
    points = {since_ms, until_ms, *bucket_starts(since_ms, until_ms, tz, 1)}
    offsets = {offset_ms(ms, tz) for ms in points}
    return offsets.pop() if len(offsets) == 1 else None


def offset_ms(ms: int, tz: ZoneInfo) -> int:
    """The zone's UTC offset (ms) at the instant ``ms``."""
    offset = from_millis(ms).astimezone(tz).utcoffset() or timedelta(0)
    return int(offset.total_seconds() * 1000)


def offset_text(value: datetime, tz: ZoneInfo) -> str:
    """``UTC+09:00``: the zone's offset at ``value``."""
    offset = local(value, tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"
