"""Detection without Kafka: partials merge exactly, windows close by event time, detectors fire."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from radar.clock import ManualClock
from radar.events import Heartbeat
from streams.counting import Delivery, PartitionCounter, parse_cell_key
from streams.detection import Detection, DetectionSettings
from streams.protocol import ThreadItem
from tests.unit.streams.test_counting import T0, scored


def run(
    partitions: int, deliveries: list[Delivery]
) -> tuple[dict[tuple[str, str, int], int], list[Any]]:
    """Count then detect with ``partitions`` source partitions; (totals, signals)."""
    clock = ManualClock(T0)
    counter = PartitionCounter({}, lateness_s=60)
    settings = DetectionSettings(lateness_s=60)
    detection = Detection({}, settings, now=clock.now, wall=lambda: 0.0, sources=partitions)
    totals: dict[tuple[str, str, int], int] = {}
    signals = []
    for delivery in deliveries:
        moved = Delivery(delivery.offset % partitions, delivery.offset, delivery.event)
        outcome = counter.add_batch([moved])
        for key, cell in outcome.cells.items():
            p, size, start, dim = parse_cell_key(key)
            merged = detection.on_partial(0, p, size, start, dim, cell)
            assert merged is not None
            d, s, st, total = merged
            totals[(d, s, st)] = total["n"]
        for p, wm in outcome.watermarks.items():
            signals += detection.on_watermark(0, p, wm)
    for p in range(partitions):  # every partition caught up: time runs to the last event
        signals += detection.on_watermark(0, p, None, idle=True)
    return totals, signals


def feed() -> list[Delivery]:
    events = []
    offset = 0
    for minute in range(0, 8 * 60, 2):  # eight hours of a steady trickle
        events.append(Delivery(0, offset, scored(offset, minutes=minute, is_complaint=False)))
        offset += 1
    for k in range(40):  # a burst of logistics complaints in one window
        events.append(Delivery(0, offset, scored(offset, minutes=8 * 60 + k * 0.1)))
        offset += 1
    for minute in range(8 * 60 + 5, 10 * 60, 2):  # then two quiet hours
        events.append(Delivery(0, offset, scored(offset, minutes=minute, is_complaint=False)))
        offset += 1
    return events


def test_four_partitions_give_the_same_totals_and_signals_as_one() -> None:
    one_totals, one_signals = run(1, feed())
    four_totals, four_signals = run(4, feed())
    assert one_totals == four_totals
    assert [(s.id, s.status) for s in one_signals] == [(s.id, s.status) for s in four_signals]


def test_a_burst_raises_one_spike_per_key_with_evidence() -> None:
    _, signals = run(4, feed())
    spikes = [s for s in signals if s.type == "spike" and s.key == {"topic": "物流配送"}]
    assert len({s.id for s in spikes}) == 1
    first = spikes[0]
    assert first.status == "firing" and first.observed == 40 and first.expected < 5
    assert first.statistic == "negative_binomial_upper_tail"
    assert first.top_topics == ["物流配送"] and 1 <= len(first.samples) <= 5
    name = str(first.details["scale"])  # the scale whose test decided: 5m, 30m, 1h, 6h, 1d
    unit = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}[name[-1]]
    assert first.window_end - first.window_start == int(name[:-1]) * unit
    assert spikes[-1].status == "resolved"


def test_unanswered_complaint_fires_after_the_sla_and_resolves_on_reply() -> None:
    clock = ManualClock(T0)
    detection = Detection({}, DetectionSettings(sla_s={"email": 3600}), now=clock.now)
    base = {"kind": "thread", "channel": "email", "thread": "email|box|t1"}
    sample = {"id": "e1", "text": "还没人回复", "channel": "email", "created_at": T0.isoformat()}
    t0 = T0.timestamp()
    detection.on_thread(0, ThreadItem(**{**base, "event": "complaint", "ts": t0, "sample": sample}))
    assert detection.check_threads(0, t0 + 1800) == []
    [fired] = detection.check_threads(0, t0 + 3700)
    assert fired.type == "unanswered" and fired.status == "firing" and fired.samples[0].id == "e1"
    assert detection.check_threads(0, t0 + 7200) == []  # once
    [resolved] = detection.on_thread(0, ThreadItem(**{**base, "event": "reply", "ts": t0 + 8000}))
    assert resolved.id == fired.id and resolved.status == "resolved"


def test_a_reply_in_time_raises_nothing() -> None:
    detection = Detection({}, DetectionSettings(), now=ManualClock(T0).now)
    base = {"kind": "thread", "channel": "chat", "thread": "chat|im|t9"}
    sample = {"id": "e9", "text": "x", "channel": "chat", "created_at": T0.isoformat()}
    t0 = T0.timestamp()
    detection.on_thread(0, ThreadItem(**{**base, "event": "complaint", "ts": t0, "sample": sample}))
    assert detection.on_thread(0, ThreadItem(**{**base, "event": "reply", "ts": t0 + 60})) == []
    assert detection.check_threads(0, t0 + 86400) == []


def test_source_down_fires_on_its_owner_only_and_resolves() -> None:
    clock = ManualClock(T0)
    detection = Detection({}, DetectionSettings(), now=clock.now)
    down = Heartbeat(source="imap", channel="email", at=T0, status="down", message="login failed")
    fired = [s for mp in range(4) for s in detection.on_heartbeat(mp, down, partitions=4)]
    assert [(s.type, s.status) for s in fired] == [("source_down", "firing")]
    up = Heartbeat(source="imap", channel="email", at=T0 + timedelta(minutes=5))
    resolved = [s for mp in range(4) for s in detection.on_heartbeat(mp, up, partitions=4)]
    assert [(s.status, s.key["source"]) for s in resolved] == [("resolved", "imap")]


def test_a_stale_heartbeat_means_down() -> None:
    clock = ManualClock(T0)
    detection = Detection({}, DetectionSettings(heartbeat_timeout_s=600), now=clock.now)
    beat = Heartbeat(source="rss", channel="forum", at=T0)
    for mp in range(2):
        detection.on_heartbeat(mp, beat, partitions=2)
    clock.advance(700)
    fired = [s for mp in range(2) for s in detection.check_sources(mp, partitions=2)]
    assert [s.type for s in fired] == ["source_down"]


class WallClock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class TestWatermark:
    HOUR = 3_600_000

    def detection(self, wall: WallClock) -> Detection:
        settings = DetectionSettings(lateness_s=0, idle_s=30)
        return Detection({}, settings, now=ManualClock(T0).now, wall=wall, sources=3)

    def start(self, hours: float) -> int:
        return int(T0.timestamp() * 1000 + hours * self.HOUR)

    def test_a_partition_not_heard_from_holds_time_back(self) -> None:
        d = self.detection(WallClock())
        d.on_watermark(0, 0, self.start(5))
        d.on_watermark(0, 1, self.start(5))
        assert d.global_watermark(0, d._clock(0)) is None  # partition 2 may still have data
        d.on_watermark(0, 2, self.start(1))
        assert d.global_watermark(0, d._clock(0)) == self.start(1)

    def test_a_busy_partition_holds_time_back_however_long_it_is_silent(self) -> None:
        wall = WallClock()
        d = self.detection(wall)
        for p, hours in ((0, 5), (1, 5), (2, 1)):
            d.on_watermark(0, p, self.start(hours))
        wall.t += 3600  # an hour of wall time without a word from partition 2
        d.on_watermark(0, 0, self.start(6))
        assert d._clock(0)["global"] == self.start(1)

    def test_a_caught_up_partition_holds_nothing_while_its_claim_is_fresh(self) -> None:
        wall = WallClock()
        d = self.detection(wall)
        d.on_watermark(0, 0, self.start(5))
        d.on_watermark(0, 1, self.start(4))
        d.on_watermark(0, 2, None, idle=True)  # an empty partition
        assert d._clock(0)["global"] == self.start(4)
        d.on_watermark(0, 1, self.start(4), idle=True)
        assert d._clock(0)["global"] == self.start(5)
        wall.t += 31  # claims not renewed: the owners may be gone with records to count
        d.on_watermark(0, 0, self.start(7))
        assert d._clock(0)["global"] == self.start(5)  # held by partition 1, and never back

    def test_everything_caught_up_closes_up_to_the_latest_event(self) -> None:
        d = self.detection(WallClock())
        for p, hours in ((0, 5), (1, 3), (2, 4)):
            d.on_watermark(0, p, self.start(hours), idle=True)
        assert d._clock(0)["global"] == self.start(5)


def test_a_part_of_a_forgotten_window_does_not_overwrite_its_stored_total() -> None:
    counter = PartitionCounter({}, lateness_s=60)
    detection = Detection(
        {}, DetectionSettings(lateness_s=60), now=ManualClock(T0).now, wall=lambda: 0.0
    )
    old = counter.add_batch([Delivery(0, 0, scored(0))])
    for key, cell in old.cells.items():
        _, size, start, dim = parse_cell_key(key)
        assert detection.on_partial(0, 0, size, start, dim, cell) is not None
    detection.on_watermark(0, 0, int((T0 + timedelta(hours=4)).timestamp() * 1000))
    # the same cell again (a takeover re-sends it) after the window was forgotten
    key, cell = next(iter(old.cells.items()))
    _, size, start, dim = parse_cell_key(key)
    assert detection.on_partial(0, 0, size, start, dim, cell) is None


def test_a_backfill_of_old_heartbeats_never_flaps_a_source_down() -> None:
    clock = ManualClock(T0 + timedelta(days=30))  # processing time: long after the events
    detection = Detection({}, DetectionSettings(heartbeat_timeout_s=900), now=clock.now)
    signals = []
    for hour in range(48):  # two days of hourly beats, replayed in under a minute
        beat = Heartbeat(source="imap", channel="email", at=T0 + timedelta(hours=hour))
        signals += detection.on_heartbeat(0, beat, partitions=1)
        clock.advance(1)
        signals += detection.check_sources(0, partitions=1)
    assert signals == []
    clock.advance(901)  # then the beats stop arriving
    [down] = detection.check_sources(0, partitions=1)
    assert down.type == "source_down" and down.status == "firing"


def test_a_restarted_worker_gives_every_source_the_whole_timeout_again() -> None:
    clock = ManualClock(T0)
    state: dict[str, Any] = {}
    first = Detection(state, DetectionSettings(heartbeat_timeout_s=600), now=clock.now)
    first.on_heartbeat(0, Heartbeat(source="rss", channel="forum", at=T0), partitions=1)
    clock.advance(3600)  # the worker was away for an hour; the beats wait in Kafka
    again = Detection(state, DetectionSettings(heartbeat_timeout_s=600), now=clock.now)
    assert again.check_sources(0, partitions=1) == []
    clock.advance(601)
    assert [s.type for s in again.check_sources(0, partitions=1)] == ["source_down"]


def chat_hours(hours: range, per_hour: int, start_offset: int = 0) -> list[Delivery]:
    """``per_hour`` chat messages (not complaints) in each of ``hours``."""
    out = []
    offset = start_offset
    for hour in hours:
        for k in range(per_hour):
            minute = hour * 60 + (k + 0.5) * 60 / per_hour
            event = scored(offset, minutes=minute, channel="chat", source="im", is_complaint=False)
            out.append(Delivery(0, offset, event))
            offset += 1
    return out


def silence_run(beats: list[Heartbeat]) -> list[Any]:
    """Two days of 30 chat messages an hour, then four quiet hours, then traffic again."""
    clock = ManualClock(T0 + timedelta(days=30))
    counter = PartitionCounter({}, lateness_s=60)
    detection = Detection(
        {}, DetectionSettings(lateness_s=60), now=clock.now, wall=lambda: 0.0, sources=1
    )
    for beat in beats:  # heartbeats arrive ahead of the events, as they do in a replay
        detection.on_heartbeat(0, beat, partitions=1)
    feed = chat_hours(range(48), 30)
    feed += chat_hours(range(52, 60), 30, start_offset=len(feed))
    signals = []
    for delivery in feed:
        outcome = counter.add_batch([delivery])
        for key, cell in outcome.cells.items():
            p, size, start, dim = parse_cell_key(key)
            detection.on_partial(0, p, size, start, dim, cell)
        for p, wm in outcome.watermarks.items():
            signals += detection.on_watermark(0, p, wm)
    return [s for s in signals if s.type == "silence" and s.key == {"channel": "chat"}]


def test_chat_that_goes_quiet_for_hours_is_a_silence() -> None:
    fired = silence_run([])
    assert [s.status for s in fired][:1] == ["firing"]
    assert T0 + timedelta(hours=48) <= fired[0].window_start < T0 + timedelta(hours=52)


def test_no_silence_while_the_source_behind_the_key_was_down_in_event_time() -> None:
    beats = [
        Heartbeat(source="im", channel="chat", at=T0 + timedelta(hours=h), status=status)
        for h, status in ((0, "ok"), (47.9, "down"), (52, "ok"))
    ]
    assert silence_run(beats) == []


def regional_wave() -> list[Delivery]:
    """Two days of delivery complaints over five regions and four products (12 an hour,
    steady), then 50 an hour from 广东 alone for three hours, every product alike."""
    rng = random.Random(5)
    regions, products = ["广东", "浙江", "江苏", "上海", "北京"], ["p1", "p2", "p3", "p4"]
    out, offset = [], 0
    for hour in range(52):
        per_hour = 12 + (50 if hour >= 48 else 0)
        for k in range(per_hour):
            wave = hour >= 48 and k >= 12
            event = scored(
                offset,
                minutes=hour * 60 + rng.uniform(0, 60),
                region="广东" if wave else rng.choice(regions),
                product=rng.choice(products),
            )
            out.append(Delivery(0, offset, event))
            offset += 1
    return sorted(out, key=lambda d: d.event.created_at if d.event else T0)


def test_a_regional_wave_is_one_signal_named_by_topic_and_region() -> None:
    deliveries = [Delivery(0, n, d.event) for n, d in enumerate(regional_wave())]
    _, signals = run(1, deliveries)
    firing = {tuple(sorted(s.key.items())) for s in signals if s.type == "spike"}
    # the overall count spikes too (the alert rules mute it while a specific spike fires);
    # the products, whose share of the complaints did not move, are not reported
    assert firing == {(("region", "广东"), ("topic", "物流配送")), (("scope", "all"),)}
    first = next(s for s in signals if s.type == "spike" and "topic" in s.key)
    assert first.window_start >= T0 + timedelta(hours=47)
    assert first.window_end <= T0 + timedelta(hours=49)  # within the wave's first hour


def test_a_catch_up_in_small_steps_closes_the_same_windows_with_the_same_signals() -> None:
    """A long jump of event time closed a window at a time (the worker gives the event loop
    back between steps) loses no window part and raises what one go raises."""

    def once(step: int | None) -> tuple[list[tuple[str, str]], dict[str, Any]]:
        counter = PartitionCounter({}, lateness_s=60)
        detection = Detection(
            {}, DetectionSettings(lateness_s=60), now=ManualClock(T0).now, wall=lambda: 0.0
        )
        outcome = counter.add_batch(feed())  # one batch: event time jumps nine hours
        for key, cell in outcome.cells.items():
            p, size, start, dim = parse_cell_key(key)
            detection.on_partial(0, p, size, start, dim, cell)
        wm = outcome.watermarks[0]
        if step is None:
            signals = detection.on_watermark(0, 0, wm)
        else:
            signals = detection.on_watermark(0, 0, wm, max_windows=step)
            while detection.behind(0):
                signals += detection.advance(0, step)
        return [(s.id, s.status) for s in signals], detection._clock(0)["closed"]

    assert once(1) == once(None)


def test_a_key_seen_late_starts_with_the_rhythm_of_all_complaints() -> None:
    clock = ManualClock(T0)
    counter = PartitionCounter({}, lateness_s=60)
    detection = Detection({}, DetectionSettings(lateness_s=60), now=clock.now, wall=lambda: 0.0)
    deliveries = []
    for minute in range(0, 27 * 60, 3):  # 27 hours of complaints, busier in the evening
        hour = (minute // 60 + 8) % 24  # T0 is 08:00 in Beijing
        if minute % 12 == 0 or 18 <= hour <= 22:
            deliveries.append(Delivery(0, minute, scored(minute, minutes=minute)))
    late = 27 * 60 + 1  # a product first complained about on the second day
    deliveries.append(Delivery(0, late, scored(late, minutes=late, product="耳机")))
    for minute in range(27 * 60 + 3, 28 * 60, 3):
        deliveries.append(Delivery(0, minute, scored(minute, minutes=minute)))
    for delivery in deliveries:
        outcome = counter.add_batch([delivery])
        for key, cell in outcome.cells.items():
            p, size, start, dim = parse_cell_key(key)
            detection.on_partial(0, p, size, start, dim, cell)
        for p, wm in outcome.watermarks.items():
            detection.on_watermark(0, p, wm)
    overall = detection.detectors.get(0, "overall").spike
    product = detection.detectors.get(0, "product=耳机").spike
    assert overall is not None and product is not None
    assert max(overall.baseline.daily) > 1.5  # the evening is known to be busy
    evening = [h for h in range(24) if overall.baseline.daily[h] > 1.5]
    assert all(product.baseline.daily[h] > 1.2 for h in evening)
