"""Stream processing: the Faust app, built once from settings, with thin agents over the stages."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, cast

import faust

from radar.clock import Clock, SystemClock
from radar.events import DeadLetter, FeedbackEvent, parse_values
from radar.settings import CoreSettings, KafkaSecurity, codec
from radar.store import Store
from radar.store.rollups import ResponseSla
from radar.topics import Topics
from streams import metrics
from streams.gaps import gap_filler
from streams.pipeline import add_detection, write_until_stored
from streams.progress import Offsets
from streams.rollups import RollupStage
from streams.scoring import score_or_reject
from streams.sentiment import get_engine
from streams.settings import WorkerSettings
from streams.shutdown import RadarApp
from streams.sink import StoreSink
from streams.stats import PipelineStats
from streams.taxonomy import default_taxonomy

log = logging.getLogger(__name__)


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic read and written as bytes: Radar parses values itself, so bad ones are routed."""
    return app.topic(
        name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )


def broker_credentials(security: KafkaSecurity) -> faust.auth.Credentials | None:
    """The Kafka security settings in Faust's terms (None: plaintext)."""
    if security.sasl:
        password = security.sasl_password.get_secret_value() if security.sasl_password else None
        return faust.SASLCredentials(
            username=security.sasl_username,
            password=password,
            mechanism=security.sasl_mechanism,
            ssl_context=security.ssl_context(),
        )
    context = security.ssl_context()
    return faust.SSLCredentials(context) if context is not None else None


def create_app(
    core: CoreSettings | None = None,
    worker: WorkerSettings | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
) -> faust.App:
    """The worker's Faust app: scoring agent, and (when enabled) the store sink agents."""
    core = core or CoreSettings()
    worker = worker or WorkerSettings()
    clock = clock or SystemClock()
    topics = Topics.from_settings(core)
    security = KafkaSecurity()
    datadir = core.data_dir / "faust" / worker.app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    app = RadarApp(
        worker.app_id,
        broker=[f"kafka://{host}" for host in core.kafka_bootstrap.split(",")],
        broker_credentials=broker_credentials(security),
        store="memory://",
        datadir=str(datadir),
        topic_partitions=core.topic_partitions,
        topic_replication_factor=core.topic_replication,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        web_enabled=worker.web_port > 0,
        web_port=worker.web_port or 6066,
        web_bind="127.0.0.1",
        broker_commit_every=1000,
        broker_session_timeout=worker.session_timeout_s,
        broker_commit_interval=1.0,
        producer_acks=-1,
        producer_compression_type=codec(core.kafka_compression),
        # scored events are ~1 KB: Faust's 16 KB batches sent at once meant a produce
        # request per dozen events; a few ms of linger fills batches of hundreds
        producer_linger=0.005,
        producer_max_batch_size=512 * 1024,
    )
    # a stop waits this long for the batches in progress, then commits what they finished
    app.stream_wait_s = worker.shutdown_timeout_s / 2
    # table writes (a batch changes hundreds of cells) wait in this buffer; Faust's default
    # of 100 stalls every batch with a "producer buffer full" flush
    app.producer.buffer.max_messages = 5_000
    raw = raw_topic(app, topics.raw)
    scored = raw_topic(app, topics.scored)
    deadletter = raw_topic(app, topics.deadletter)
    engine = get_engine(worker.sentiment_engine)
    engine.score_batch(["预热 warm-up"])  # load models now, not inside the first batch

    async def send_deadletters(letters: Sequence[DeadLetter]) -> None:
        for letter in letters:
            await deadletter.send(key=letter.id.encode(), value=letter.to_json())

    offsets = Offsets(core.kafka_bootstrap, security)
    raw_gaps = gap_filler(app, offsets, worker.app_id, raw.get_topic_name())

    @app.on_before_shutdown.connect
    async def close_offsets(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await offsets.close()

    processed: Counter[str] = Counter()  # records per input topic, for the pipeline stats

    @app.agent(raw, name="score")
    async def score(stream: faust.StreamT[bytes]) -> None:
        """feedback.raw → feedback.scored (bad records → feedback.deadletter)."""
        taxonomy = default_taxonomy()
        loop = asyncio.get_running_loop()
        batched = cast(faust.Stream[bytes], stream).take_events
        async for batch in batched(worker.batch_size, within=worker.batch_within_s):
            values = [record.value for record in await raw_gaps.complete(batch)]
            processed[raw.get_topic_name()] += len(values)
            timing = metrics.batch("score", len(values))
            events, letters = parse_values(values, FeedbackEvent, now=clock.now(), stage="worker")
            # CPU-bound scoring runs off the loop, so Kafka heartbeats keep flowing
            results, failed = await loop.run_in_executor(
                None, score_or_reject, events, engine, clock.now(), taxonomy
            )
            for result in results:
                await scored.send(key=result.id.encode(), value=result.to_json())
            await send_deadletters([*letters, *failed])
            metrics.dead_letters([*letters, *failed])
            timing.done(len(results))

    beats = raw_topic(app, topics.heartbeats)
    signals = raw_topic(app, topics.signals)
    if worker.sink_enabled or worker.detect_enabled:
        store = store or Store.from_settings(core)
    sink = StoreSink(store, clock) if worker.sink_enabled and store is not None else None
    if store is not None:
        stats = PipelineStats(
            store, offsets, group=worker.app_id, partitions=core.topic_partitions, totals=processed
        )
        watched = [raw.get_topic_name(), scored.get_topic_name()]

        async def pipeline_stats() -> None:
            """Consumer lag and records/s of the inputs, for the dashboard's health page."""
            await stats.sample(watched)

        app.timer(interval=worker.stats_interval_s)(pipeline_stats)

    if sink is not None and worker.rollup_interval_s > 0:
        roll_up = RollupStage(
            sink.store,
            ResponseSla(worker.default_sla_hours, dict(worker.sla_hours)),
            timezone=core.timezone,
        )
        scored_name = scored.get_topic_name()

        async def refresh_rollups() -> None:
            """The dashboard's roll-ups, by the worker holding partition 0 of the scored."""
            held = ((tp.topic, tp.partition) for tp in app.assignor.assigned_actives())
            if RollupStage.owns(held, scored_name):
                await asyncio.get_running_loop().run_in_executor(None, roll_up.refresh)

        app.timer(interval=worker.rollup_interval_s)(refresh_rollups)

    if worker.detect_enabled and store is not None:
        add_detection(
            app,
            scored=scored,
            beats=beats,
            signals_topic=signals,
            deadletter=deadletter,
            windows_name=worker.windows_topic(core.topic_prefix),
            partitions=core.topic_partitions,
            worker=worker,
            clock=clock,
            store=store,
            raw_name=topics.raw,
            offsets=offsets,
            group=worker.app_id,
            timezone=core.timezone,
        )
    if sink is not None:
        sink_agent(app, scored, "sink-scored", sink.write_scored, worker, offsets, processed)
        sink_agent(
            app, deadletter, "sink-deadletter", sink.write_deadletters, worker, offsets, processed
        )
        sink_agent(app, beats, "sink-heartbeats", sink.write_heartbeats, worker, offsets, processed)
        sink_agent(app, signals, "sink-signals", sink.write_signals, worker, offsets, processed)
    return app


def sink_agent(
    app: faust.App,
    topic: faust.TopicT,
    name: str,
    write: Callable[[Sequence[bytes]], Any],
    worker: WorkerSettings,
    offsets: Offsets,
    processed: Counter[str],
) -> None:
    """An agent that writes batches from ``topic`` into the store off the event loop."""

    gaps = gap_filler(app, offsets, worker.app_id, topic.get_topic_name())

    async def run(stream: faust.StreamT[bytes]) -> None:
        batched = cast(faust.Stream[bytes], stream).take_events
        async for events in batched(worker.batch_size, within=worker.batch_within_s):
            batch = [record.value for record in await gaps.complete(events)]
            processed[topic.get_topic_name()] += len(batch)
            timing = metrics.batch(name, len(batch))
            # the offsets are committed only once the batch is stored (a record the store
            # refuses is a dead letter already: the sink writes the rest without it)
            result = await write_until_stored(name, write, batch)
            timing.done(result.stored)
            log.debug("%s: %s", name, result)

    app.agent(topic, name=name)(run)
