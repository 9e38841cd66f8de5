"""Source health: down now in processing time; down during a window in event time."""

from __future__ import annotations

from datetime import timedelta

from radar.events import Heartbeat
from streams.sources import SourceHealth
from tests.unit.streams.test_counting import T0

HOUR = 3600.0
NOW = T0.timestamp() + 30 * 86400  # processing time: long after the events replayed


def beat(hours: float, status: str = "ok") -> Heartbeat:
    return Heartbeat(source="imap", channel="email", at=T0 + timedelta(hours=hours), status=status)


def test_a_replay_of_old_beats_never_looks_down() -> None:
    health, _ = SourceHealth.first(beat(0), NOW)
    changes = [health.beat(beat(h), NOW + h / 1000) for h in range(1, 48)]
    assert changes == [None] * 47
    assert health.check(NOW + 60, timeout_s=900) is None  # beats arrived a minute ago


def test_beats_that_stop_arriving_mean_down_after_the_timeout() -> None:
    health, _ = SourceHealth.first(beat(0), NOW)
    assert health.check(NOW + 899, 900) is None
    assert health.check(NOW + 901, 900) == "firing"
    assert health.check(NOW + 2000, 900) is None  # once
    assert health.beat(beat(1), NOW + 2100) == "resolved"
    start = T0.timestamp()
    assert health.down_during(start + 0.5 * HOUR, start + 0.6 * HOUR)
    assert not health.down_during(start + 1.5 * HOUR, start + 2 * HOUR)


def test_a_reported_outage_is_remembered_in_event_time() -> None:
    health, _ = SourceHealth.first(beat(0), NOW)
    assert health.beat(beat(5, "down"), NOW) == "firing"
    assert health.beat(beat(6, "down"), NOW) is None
    assert health.beat(beat(10), NOW) == "resolved"
    start = T0.timestamp()
    assert health.down_during(start + 7 * HOUR, start + 8 * HOUR)
    assert health.down_during(start + 4.5 * HOUR, start + 5.5 * HOUR)  # overlaps its start
    assert not health.down_during(start + 3 * HOUR, start + 4 * HOUR)
    assert not health.down_during(start + 10 * HOUR, start + 11 * HOUR)


def test_an_open_outage_covers_every_later_window() -> None:
    health, _ = SourceHealth.first(beat(0, "down"), NOW)
    assert health.down_during(T0.timestamp() + 100 * HOUR, T0.timestamp() + 101 * HOUR)


def test_a_late_beat_proves_life_but_changes_nothing() -> None:
    health, _ = SourceHealth.first(beat(5), NOW)
    assert health.beat(beat(1, "down"), NOW + 500) is None
    assert not health.is_down and health.last_seen == NOW + 500


def test_old_stretches_are_forgotten_open_ones_kept() -> None:
    health, _ = SourceHealth.first(beat(0, "down"), NOW)
    health.beat(beat(1), NOW)
    health.beat(beat(2, "down"), NOW)
    health.forget_before(T0.timestamp() + 1.5 * HOUR)
    assert health.periods == [[T0.timestamp() + 2 * HOUR, None]]
