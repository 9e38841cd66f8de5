"""The counting and detection agents: thin shells that send what their stages return.

The stages (:mod:`streams.stages`) hold the logic and its ordering rules; each
agent here consumes a batch, hands it to its stage, and sends, stores and
publishes what comes back in the order it comes. The internal records are
those of :mod:`streams.protocol`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast, overload

import faust

from radar.clock import Clock
from radar.errors import ValidationFailed
from radar.events import CHANNELS, Heartbeat, Signal, deadletter_for, parse_model
from radar.store import Store
from radar.store.signals import record_window_counts
from radar.store.writes import WriteAttempts
from radar.topics import topic_configs
from streams import metrics
from streams.counting import PartitionCounter, StoreClaims
from streams.detection import SINGLE_SPIKE_KINDS, Detection, DetectionSettings, WindowTotal
from streams.emerging import EmergingSettings
from streams.gaps import gap_filler
from streams.keys import KeyLimits
from streams.outbox import Outbox
from streams.phrases import PhraseCounter
from streams.progress import Offsets
from streams.protocol import SourceBeat, WindowRecord, addressed, decode, encode
from streams.settings import WorkerSettings
from streams.spikes import SpikeSettings
from streams.stages import CountStage, DetectStage, ProgressStage, Settle, parse_delivery
from streams.tables import partitioned_table
from streams.taxonomy import default_taxonomy

log = logging.getLogger(__name__)
T = TypeVar("T")


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
        emerging=EmergingSettings(enabled=worker.emerging_enabled),
    )


def add_detection(
    app: faust.App,
    *,
    scored: faust.TopicT,
    beats: faust.TopicT,
    signals_topic: faust.TopicT,
    deadletter: faust.TopicT,
    windows_name: str,
    partitions: int,
    worker: WorkerSettings,
    clock: Clock,
    store: Store,
    raw_name: str,
    offsets: Offsets,
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
    claims = StoreClaims(store)
    counter = PartitionCounter(
        partitioned_table(app, "cells", partitions),
        claims,
        lateness_s=worker.lateness_s,
        combinations=worker.combinations(),
        phrases=PhraseCounter(default_taxonomy()) if worker.emerging_enabled else None,
    )
    detection = Detection(
        partitioned_table(app, "detection", partitions),
        detection_settings(worker, timezone),
        now=clock.now,
        sources=partitions,
        partitions=partitions,
    )
    scored_name = scored.get_topic_name()

    async def send(records: Sequence[WindowRecord]) -> None:
        for record in records:
            value = encode(record)  # once, however many partitions it goes to
            for route in addressed(record, partitions):
                await windows.send(key=route.key, value=value, partition=route.partition)

    outbox = Outbox(counter, send)
    counting = CountStage(counter, default_taxonomy(), worker.unanswered_channels)
    progress_stage = ProgressStage(counter, outbox)
    detecting = DetectStage(detection, partitions)
    scored_gaps = gap_filler(app, offsets, group, scored_name)
    windows_gaps = gap_filler(app, offsets, group, windows.get_topic_name())

    async def publish(signals: Sequence[Signal]) -> None:
        for signal in signals:
            await signals_topic.send(key=signal.id.encode(), value=signal.to_json())
        metrics.signals_published(signals)

    async def set_aside(totals: list[WindowTotal], exc: BaseException) -> None:
        """Window totals the store refuses every time: a dead letter each, detection goes on."""
        for dim, size, start, cell in totals:
            message = f"the store cannot hold this window total: {exc!r}"
            error = ValidationFailed(message, reason="unstorable")
            raw = {"dim": dim, "size": size, "start": start, "cell": cell}
            letter = deadletter_for(raw, error, now=clock.now(), stage="detect")
            await deadletter.send(key=letter.id.encode(), value=letter.to_json())

    async def settle(effects: Settle) -> None:
        if effects.pause:
            await asyncio.sleep(0)  # a step of a long catch-up: scoring and the sink run too
        if effects.totals:
            totals = effects.totals

            async def poison(exc: BaseException) -> None:
                await set_aside(totals, exc)

            write = record_window_counts
            await write_until_stored("window-counts", write, store, totals, on_poison=poison)
        await publish(effects.signals)

    @app.agent(scored, name="count")
    async def count(stream: faust.StreamT[bytes]) -> None:
        """feedback.scored → per-partition window cells → partials, items, progress marks."""
        batched = cast(faust.Stream[bytes], stream).take_events
        async for events in batched(worker.count_batch_size, within=worker.count_within_s):
            records = await scored_gaps.complete(events)
            timing = metrics.batch("count", len(records))
            plan = counting.plan([parse_delivery(r.partition, r.offset, r.value) for r in records])
            owners = await write_until_stored("claims", claims.claim, plan.claims)
            done = counting.apply(plan, owners)
            outbox.add(done.outcome, done.items)
            await outbox.flush()  # before the batch is acknowledged
            for partition, horizon in counting.expire(done.outcome.progress):
                await write_until_stored("claims", claims.expire, partition, horizon)
            if done.outcome.duplicates:
                log.info("counting skipped %d ids counted before", done.outcome.duplicates)
            metrics.late(len(done.outcome.too_late))
            timing.done(len(done.outcome.counted) + len(done.outcome.replayed))

    async def progress() -> None:
        """Tell detection which partitions are caught up (those hold no event time back)."""
        mine = [tp for tp in app.assignor.assigned_actives() if tp.topic == scored_name]
        outbox.keep([tp.partition for tp in mine])
        if not mine:
            return
        # upstream first: once feedback.raw is all scored, no scored record is on its way
        upstream_idle = await offsets.lag(group, raw_name, partitions) == 0
        try:
            starts, ends = await offsets.bounds(mine)
        except Exception as exc:  # the broker is busy: try again at the next tick
            log.debug("could not read the offsets of %s: %r", scored_name, exc)
            return
        parts = [tp.partition for tp in mine]
        progress_stage.take_over_finished(parts, ends)
        await outbox.flush()
        marks = progress_stage.marks(parts, starts, ends, upstream_idle=upstream_idle)
        await outbox.send_marks(marks)

    @app.agent(beats, name="health")
    async def health(stream: faust.StreamT[bytes]) -> None:
        """feedback.heartbeats → every detection partition (each tracks every source)."""
        async for value in stream:
            try:
                beat = parse_model(Heartbeat, value)
            except ValidationFailed as exc:  # the sink dead-letters it
                log.warning("unreadable heartbeat skipped by detection: %s", exc)
                continue
            metrics.heartbeat(beat)
            await send([SourceBeat(beat=beat)])

    @app.agent(windows, name="detect")
    async def detect(stream: faust.StreamT[bytes]) -> None:
        """Partials, progress marks, items and heartbeats → window totals and signals."""
        batched = cast(faust.Stream[bytes], stream).take_events
        async for events in batched(worker.batch_size, within=worker.batch_within_s):
            items = await windows_gaps.complete(events)
            timing = metrics.batch("detect", len(items))
            closed = 0
            for effects in detecting.run(readable(items)):
                closed += len(effects.totals)
                await settle(effects)
            timing.done(closed)

    async def tick() -> None:
        """Let time pass without records (stale idle claims) and check heartbeats."""
        mine = [tp.partition for tp in app.assignor.assigned_actives() if tp.topic == windows_name]
        await publish(detecting.tick(mine))

    app.timer(interval=worker.tick_s)(progress)
    app.timer(interval=worker.tick_s)(tick)


def readable(items: Sequence[Any]) -> list[tuple[int, WindowRecord]]:
    """The windows records of a batch, each with its partition (unreadable ones skipped)."""
    out = []
    for item in items:
        try:
            out.append((item.partition, decode(item.value)))
        except ValidationFailed as exc:  # no worker wrote it: nothing to count it in
            log.warning("unreadable windows record skipped at offset %d: %s", item.offset, exc)
    return out


Poison = Callable[[BaseException], Awaitable[None]]


@overload
async def write_until_stored(
    name: str, write: Callable[..., T], *args: Any, attempts: WriteAttempts | None = None
) -> T: ...
@overload
async def write_until_stored(
    name: str,
    write: Callable[..., T],
    *args: Any,
    on_poison: Poison,
    attempts: WriteAttempts | None = None,
) -> T | None: ...
async def write_until_stored(
    name: str,
    write: Callable[..., T],
    *args: Any,
    on_poison: Poison | None = None,
    attempts: WriteAttempts | None = None,
) -> T | None:
    """Run a store write off the event loop until it succeeds; nothing is dropped.

    A store that is away is waited for as long as it takes. A write the store
    refuses every time (:class:`~radar.store.writes.WriteAttempts`) goes to
    ``on_poison`` (a dead letter, say) and returns None; without one it is
    tried again every ``max_delay``, loudly.
    """
    loop = asyncio.get_running_loop()
    attempts = attempts or WriteAttempts(name)
    while True:
        try:
            return await loop.run_in_executor(None, write, *args)
        except Exception as exc:
            delay = attempts.failed(exc)
            if delay is None and on_poison is not None:
                await on_poison(exc)
                return None
            await asyncio.sleep(attempts.max_delay if delay is None else delay)
