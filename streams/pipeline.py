"""Stream processing: the counting and detection agents, thin shells over their stages."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

import faust

from radar.clock import Clock
from radar.errors import ValidationFailed
from radar.events import CHANNELS, Heartbeat, ScoredEvent, Signal, parse_model
from radar.masking import mask_text
from radar.store import Store
from radar.store.signals import record_window_counts
from radar.topics import topic_configs
from streams import metrics
from streams.counting import Delivery, PartitionCounter, StoreClaims, parse_cell_key
from streams.crisis import crisis_record, key_text
from streams.detection import SINGLE_SPIKE_KINDS, Detection, DetectionSettings, WindowTotal
from streams.gaps import gap_filler
from streams.keys import KeyLimits
from streams.outbox import Outbox
from streams.progress import Offsets, caught_up
from streams.settings import WorkerSettings
from streams.spikes import SpikeSettings
from streams.tables import dumps, partitioned_table
from streams.taxonomy import default_taxonomy
from streams.unanswered import CONVERSATION_CHANNELS, awaits_reply, thread_keys
from streams.windows import OVERALL, SAMPLE_CHARS, anchor

log = logging.getLogger(__name__)
#: Windows of each size closed in one go: a backfill's long catch-up goes in steps that
#: give the event loop back, so scoring, the sink and the group's heartbeats keep going.
CLOSE_STEP = 3


def detection_settings(
    worker: WorkerSettings, timezone: str = "Asia/Shanghai"
) -> DetectionSettings:
    sla = {ch: worker.sla_hours.get(ch, worker.default_sla_hours) * 3600 for ch in CHANNELS}
    spike = SpikeSettings(min_count=worker.spike_min_count, fire_at=worker.spike_fire_at)
    combined = tuple("+".join(c) for c in worker.combinations())
    kinds = (*SINGLE_SPIKE_KINDS, *combined)
    return DetectionSettings(
        timezone=timezone,
        spike_kinds=kinds,
        shift_kinds=kinds,
        keys=KeyLimits(max_keys=worker.max_keys, admit_min=worker.spike_min_count),
        lateness_s=worker.lateness_s,
        idle_s=worker.idle_s,
        sla_s=sla,
        heartbeat_timeout_s=worker.heartbeat_timeout_s,
        crisis_quiet_s=worker.crisis_quiet_s,
        spike=spike,
    )


def encode(record: dict[str, Any]) -> bytes:
    return dumps(record)


def add_detection(
    app: faust.App,
    *,
    scored: faust.TopicT,
    beats: faust.TopicT,
    signals_topic: faust.TopicT,
    windows_name: str,
    partitions: int,
    worker: WorkerSettings,
    clock: Clock,
    store: Store,
    raw_name: str,
    bootstrap: str,
    group: str,
    timezone: str = "Asia/Shanghai",
) -> None:
    """Count ``scored`` per partition, merge per key on ``windows_name``, publish signals."""
    windows = app.topic(
        windows_name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
        internal=True,  # Faust creates it, like its repartition topics
        config=topic_configs(app.conf.topic_replication_factor),
    )
    cells = partitioned_table(app, "cells", partitions)
    state = partitioned_table(app, "detection", partitions)
    claims = StoreClaims(store)
    counter = PartitionCounter(
        cells, claims, lateness_s=worker.lateness_s, combinations=worker.combinations()
    )
    detection = Detection(
        state,
        detection_settings(worker, timezone),
        now=clock.now,
        sources=partitions,
        partitions=partitions,
    )
    scored_name = scored.get_topic_name()
    offsets = Offsets(bootstrap)
    taxonomy = default_taxonomy()

    @app.on_before_shutdown.connect
    async def close_offsets(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await offsets.close()

    async def publish(signals: Sequence[Signal]) -> None:
        for signal in signals:
            await signals_topic.send(key=signal.id.encode(), value=signal.to_json())
        metrics.signals_published(signals)

    async def send_cells(cells_out: dict[str, dict[str, Any]]) -> None:
        for key, cell in cells_out.items():
            p, size, start, dim = parse_cell_key(key)
            record = {"kind": "partial", "p": p, "size": size, "start": start, "dim": dim}
            value = encode({**record, "cell": cell})
            if dim == OVERALL:  # every detection partition judges its keys against it
                for mp in range(partitions):
                    await windows.send(key=b"overall", value=value, partition=mp)
                continue
            # a combination goes where its anchor goes: they are judged together
            await windows.send(key=anchor(dim).encode(), value=value)

    async def send_progress(p: int, wm: int | None, *, idle: bool = False) -> None:
        mark = encode({"kind": "wm", "p": p, "wm": wm, "idle": idle})
        for mp in range(partitions):
            await windows.send(key=b"~wm", value=mark, partition=mp)

    outbox = Outbox(counter, send_cells, send_progress)
    scored_gaps = gap_filler(app, offsets, group, scored_name)
    windows_gaps = gap_filler(app, offsets, group, windows.get_topic_name())

    @app.agent(scored, name="count")
    async def count(stream: faust.StreamT[bytes]) -> None:
        """feedback.scored → per-partition window cells → partials, progress marks, threads."""
        batched = cast(faust.Stream[bytes], stream).take_events
        async for events in batched(worker.count_batch_size, within=worker.count_within_s):
            records = await scored_gaps.complete(events)
            timing = metrics.batch("count", len(records))
            plan = counter.plan([parse_delivery(r.partition, r.offset, r.value) for r in records])
            owners = await write_until_stored("claims", claims.claim, plan.claims)
            outcome = counter.apply(plan, owners)
            if outcome.duplicates:
                log.info("counting skipped %d ids counted before", outcome.duplicates)
            outbox.add(outcome)
            for delivery in [*outcome.replayed, *outcome.counted, *outcome.too_late]:
                # threads and crises are judged in event time however late an item comes
                # (a mailbox read after an outage); detection drops repeats by id
                if delivery.event is None:
                    continue
                for record in thread_records(delivery.event, worker.unanswered_channels):
                    await windows.send(key=str(record["thread"]).encode(), value=encode(record))
                crisis = crisis_record(delivery.event, taxonomy)
                if crisis is not None:
                    name = key_text(crisis["key"]).encode()
                    await windows.send(key=name, value=encode(crisis))
            await outbox.flush()  # before the batch is acknowledged
            metrics.late(len(outcome.too_late))
            timing.done(len(outcome.counted) + len(outcome.replayed))
            for p in outcome.progress:
                if counter.due_for_expiry(p):
                    counter.expire(p)
                    horizon = counter.claim_horizon(p)
                    if horizon is not None:
                        await write_until_stored("claims", claims.expire, p, horizon)

    @app.timer(interval=worker.tick_s)
    async def progress() -> None:
        """Tell detection which partitions are caught up (those hold no event time back)."""
        tps = [tp for tp in app.assignor.assigned_actives() if tp.topic == scored_name]
        outbox.keep([tp.partition for tp in tps])
        if not tps:
            return
        # upstream first: once feedback.raw is all scored, no scored record is on its way
        upstream_idle = await offsets.lag(group, raw_name, partitions) == 0
        try:
            starts, ends = await offsets.bounds(tps)
        except Exception as exc:  # the broker is busy: try again at the next tick
            log.debug("could not read the offsets of %s: %r", scored_name, exc)
            return
        for tp in tps:
            state = counter.progress(tp.partition)
            if state and state["next"] >= ends[tp.partition]:
                outbox.take_over(tp.partition, state)  # nothing to replay: its cells, once
        await outbox.flush()
        # only what was sent counts: the table runs ahead of what went downstream
        published = outbox.published
        sent = {p: s["next"] for p, s in published.items()}
        counted = {tp.partition: counter.progress(tp.partition) for tp in tps}
        counted_next = {p: s["next"] if s else None for p, s in counted.items()}
        status = caught_up(sorted(counted), sent, ends, starts, counted_next=counted_next)
        for p in sorted(counted):
            wm = published[p]["wm"] if p in published else None
            await send_progress(p, wm, idle=status[p] and upstream_idle)

    @app.agent(beats, name="health")
    async def health(stream: faust.StreamT[bytes]) -> None:
        """feedback.heartbeats → every detection partition (each tracks every source)."""
        async for value in stream:
            try:
                beat = parse_model(Heartbeat, value)
            except ValidationFailed as exc:
                log.warning("unreadable heartbeat skipped by detection: %s", exc)
                continue
            metrics.heartbeat(beat)
            for mp in range(partitions):
                record = {"kind": "hb", "beat": json.loads(beat.to_json())}
                await windows.send(key=beat.source.encode(), value=encode(record), partition=mp)

    @app.agent(windows, name="detect")
    async def detect(stream: faust.StreamT[bytes]) -> None:
        """Partials, progress marks, threads and heartbeats → window totals and signals."""
        batched = cast(faust.Stream[bytes], stream).take_events
        signals: list[Signal] = []
        totals: list[WindowTotal] = []

        async def settle() -> None:
            """Store the totals and send the signals so far. A progress mark may close and
            forget windows (their parts replayed after a crash are ignored), so what came
            before it must be out first."""
            if totals:
                await write_until_stored("window-counts", record_window_counts, store, totals)
            await publish(signals)
            totals.clear()
            signals.clear()

        async for events in batched(worker.batch_size, within=worker.batch_within_s):
            items = await windows_gaps.complete(events)
            timing = metrics.batch("detect", len(items))
            closed = 0
            for item in items:
                mp = item.partition
                record = json.loads(item.value)
                kind = record["kind"]
                if kind == "partial":
                    args = (record["p"], record["size"], record["start"], record["dim"])
                    total = detection.on_partial(mp, *args, record["cell"])
                    if total is not None:
                        totals.append(total)
                        closed += 1
                elif kind == "wm":
                    idle = bool(record.get("idle", False))
                    await settle()
                    signals += detection.on_watermark(
                        mp, record["p"], record["wm"], idle=idle, max_windows=CLOSE_STEP
                    )
                    await publish(signals)  # before the changelog of the closes, as near as can be
                    signals.clear()
                    while detection.behind(mp):  # a long catch-up, a few windows at a time,
                        await asyncio.sleep(0)  # so scoring and the sink run meanwhile
                        await publish(detection.advance(mp, CLOSE_STEP))
                elif kind == "thread":
                    signals += detection.on_thread(mp, record)
                elif kind == "crisis":
                    signals += detection.on_crisis(mp, record)
                elif kind == "hb":
                    beat = Heartbeat.model_validate(record["beat"])
                    signals += detection.on_heartbeat(mp, beat, partitions=partitions)
            await settle()
            timing.done(closed)

    @app.timer(interval=worker.tick_s)
    async def tick() -> None:
        """Let time pass without events (stale idle claims) and check heartbeats."""
        mine = [tp.partition for tp in app.assignor.assigned_actives() if tp.topic == windows_name]
        signals: list[Signal] = []
        for mp in mine:
            signals += detection.advance(mp, CLOSE_STEP)
            signals += detection.check_sources(mp, partitions=partitions)
        await publish(signals)


def parse_delivery(partition: int, offset: int, value: bytes) -> Delivery:
    """A consumed scored record as counting sees it (an unreadable one only moves progress on)."""
    try:
        parsed: ScoredEvent | None = parse_model(ScoredEvent, value)
    except ValidationFailed as exc:  # the sink dead-letters it; counting skips it
        log.warning("unreadable scored record skipped by counting: %s", exc)
        parsed = None
    return Delivery(partition, offset, parsed)


def thread_records(
    event: ScoredEvent, channels: Collection[str] = CONVERSATION_CHANNELS
) -> list[dict[str, Any]]:
    """What the unanswered detector needs of an event: complaints and staff replies only."""
    if not awaits_reply(event, channels):
        return []
    base = {"kind": "thread", "channel": event.channel, "ts": event.created_at.timestamp()}
    if event.is_staff_reply:
        return [{**base, "event": "reply", "thread": key} for key in thread_keys(event)]
    sample = {
        "id": event.id,
        "text": mask_text(event.text[:SAMPLE_CHARS]),
        "channel": event.channel,
        "created_at": event.created_at.isoformat(),
    }
    return [
        {**base, "event": "complaint", "thread": key, "sample": sample}
        for key in thread_keys(event)
    ]


async def write_until_stored(name: str, write: Callable[..., Any], *args: Any) -> Any:
    """Run a store write off the event loop, retrying until it succeeds (nothing is dropped)."""
    loop = asyncio.get_running_loop()
    delay = 0.5
    while True:
        try:
            return await loop.run_in_executor(None, write, *args)
        except Exception:  # the store is down or locked: wait, never drop
            log.exception("%s: store write failed; retrying in %.1fs", name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
