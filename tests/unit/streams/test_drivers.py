"""Drivers: the values whose excess over their usual level makes up a spike's excess."""

from __future__ import annotations

from functools import cache

from radar.clock import ManualClock
from radar.events import Signal
from streams.drivers import DriverSettings, DriverTracker
from streams.settings import WorkerSettings
from tests.offline import OfflineWorker
from tests.planted import T0, Plant, deliveries, planted


@cache
def wave(seed: int) -> tuple[list[Signal], Plant]:
    events, plant = planted(seed, wave_per_hour=30, phrase=False)
    worker = OfflineWorker(
        WorkerSettings(unanswered_channels=[], key_combinations=[]), ManualClock(T0).now
    )
    batch = deliveries(events)
    for i in range(0, len(batch), 500):
        worker.feed(batch[i : i + 500])
    worker.finish()
    return worker.signals, plant


def first_driver(signal: Signal, field: str) -> str | None:
    return next((d.value for d in signal.drivers if d.field == field), None)


def test_a_wave_in_one_region_and_product_names_both_as_its_first_drivers() -> None:
    signals, plant = wave(3)
    spikes = [s for s in signals if s.type == "spike" and s.status == "firing"]
    assert spikes, "the planted wave raises a spike"
    first = spikes[0]
    assert first.window_end > plant.start
    for signal in spikes:
        if "region" not in signal.key:
            assert first_driver(signal, "region") == plant.region, signal.key
        if "product" not in signal.key:
            assert first_driver(signal, "product") == plant.product, signal.key
        driver = next(d for d in signal.drivers if d.field == "region" or d.field == "product")
        assert driver.observed > driver.expected and 0.5 <= driver.share <= 1.0


def test_a_field_fixed_by_the_key_is_never_its_own_driver() -> None:
    signals, _ = wave(3)
    for signal in signals:
        assert not {d.field for d in signal.drivers} & set(signal.key)


def test_drivers_are_sent_with_firing_updates_only() -> None:
    signals, _ = wave(3)
    resolved = [s for s in signals if s.type == "spike" and s.status == "resolved"]
    assert resolved and all(not s.drivers for s in resolved)


def tracker_with_usual_mix() -> DriverTracker:
    tracker = DriverTracker(0, DriverSettings())
    for k in range(200):  # a steady mix: 广东 60%, 浙江 30%, 四川 10%
        by = {"region": {"广东": [6, 0], "浙江": [3, 0], "四川": [1, 0]}}
        tracker.observe(k * 300.0, by, learn=True)
    return tracker


def test_a_wave_spread_like_the_usual_mix_names_no_driver() -> None:
    tracker = tracker_with_usual_mix()
    for k in range(200, 212):  # three times as many, in the same mix
        tracker.observe(
            k * 300.0, {"region": {"广东": [18, 0], "浙江": [9, 0], "四川": [3, 0]}}, False
        )
    assert tracker.drivers(observed=30.0, expected=10.0) == []


def test_a_small_region_that_jumps_is_the_driver_although_the_largest_sends_most() -> None:
    tracker = tracker_with_usual_mix()
    for k in range(200, 212):  # 四川 jumps from 1 to 9 a window; 广东 still sends the most
        tracker.observe(
            k * 300.0, {"region": {"广东": [12, 0], "浙江": [3, 0], "四川": [9, 0]}}, False
        )
    drivers = tracker.drivers(observed=24.0, expected=10.0)
    assert drivers and drivers[0].value == "四川"
    assert drivers[0].expected < 2 < drivers[0].observed


def test_windows_in_an_episode_do_not_teach_the_usual_mix() -> None:
    learned, frozen = tracker_with_usual_mix(), tracker_with_usual_mix()
    for k in range(200, 500):
        by = {"region": {"四川": [10, 0]}}
        learned.observe(k * 300.0, by, learn=True)
        frozen.observe(k * 300.0, by, learn=False)
    assert frozen.drivers(observed=20.0, expected=10.0)[0].value == "四川"
    assert learned.drivers(observed=20.0, expected=10.0) == []


def test_a_shift_reads_the_mix_of_negative_items() -> None:
    negatives, complaints = DriverTracker(1, DriverSettings()), DriverTracker(0, DriverSettings())
    for k in range(200):  # negatives from both channels alike
        for tracker in (negatives, complaints):
            tracker.observe(k * 300.0, {"channel": {"review": [5, 2], "chat": [5, 2]}}, True)
    for k in range(200, 212):  # chat turns negative; complaints stay as they were
        for tracker in (negatives, complaints):
            tracker.observe(k * 300.0, {"channel": {"review": [5, 2], "chat": [5, 12]}}, False)
    drivers = negatives.drivers(observed=14.0, expected=4.0)
    assert [(d.field, d.value) for d in drivers] == [("channel", "chat")]
    assert complaints.drivers(observed=14.0, expected=4.0) == []
