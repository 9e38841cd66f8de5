"""Quiet hours: windows over midnight, weekdays, time zones, critical alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts.config import QuietHours
from alerts.quiet import held_until, window_end

NIGHT = QuietHours(name="night", start="22:00", end="08:00", timezone="Asia/Shanghai")


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_inside_before_and_after_midnight() -> None:
    assert window_end(NIGHT, utc(20, 14, 30)) == utc(21, 0)  # 22:30 local
    assert window_end(NIGHT, utc(20, 18, 0)) == utc(21, 0)  # 02:00 local
    assert window_end(NIGHT, utc(20, 23, 59)) == utc(21, 0)  # 07:59 local


def test_outside() -> None:
    assert window_end(NIGHT, utc(21, 0, 0)) is None  # 08:00 local: over
    assert window_end(NIGHT, utc(20, 6, 0)) is None  # 14:00 local
    assert window_end(NIGHT, utc(20, 13, 59)) is None  # 21:59 local


def test_weekdays_name_the_day_the_window_starts() -> None:
    weekend = QuietHours(
        name="weekend", start="00:00", end="00:00", timezone="UTC", weekdays=["sat", "sun"]
    )
    assert window_end(weekend, utc(21, 12)) == utc(22, 0)  # Saturday, all day
    assert window_end(weekend, utc(20, 12)) is None  # Friday
    fri_night = QuietHours(name="fri", start="22:00", end="08:00", timezone="UTC", weekdays=["fri"])
    assert window_end(fri_night, utc(21, 3)) == utc(21, 8)  # Saturday 03:00, started Friday
    assert window_end(fri_night, utc(22, 3)) is None  # Sunday 03:00, Saturday has no window


def test_critical_is_never_held_and_the_latest_end_wins() -> None:
    early = QuietHours(name="early", start="21:00", end="07:00", timezone="Asia/Shanghai")
    assert held_until([NIGHT, early], 2, utc(20, 22)) == utc(21, 0)
    assert held_until([NIGHT], 3, utc(20, 22)) is None
    assert held_until([], 0, utc(20, 22)) is None
