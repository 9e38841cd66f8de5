"""Shared kernel: time. Timezone-aware UTC only, and a clock tests can control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current time (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; for tests and replays."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = ensure_utc(when)

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds; returns the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        self._now += step
        return self._now


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive datetimes are rejected, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"naive datetime {value.isoformat()} has no timezone; use an aware datetime"
        raise ValueError(msg)
    return value.astimezone(UTC)


def to_millis(value: datetime) -> int:
    """Milliseconds since the Unix epoch for an aware datetime."""
    return round(ensure_utc(value).timestamp() * 1000)


def from_millis(value: int) -> datetime:
    """Aware UTC datetime from milliseconds since the Unix epoch."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)
