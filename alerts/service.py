"""Alerts: the alert service, a thin shell that feeds Kafka signals to the pipeline.

It reads ``feedback.signals`` (bad records go to ``feedback.deadletter`` with
their reason), runs the pipeline's timers every ``tick_s``, delivers due
notifications on a thread of its own, and publishes changed incidents to
``feedback.incidents``. Offsets are committed only after the store has the
update, and all state lives in the store, so a restart carries on where it was.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from alerts import metrics
from alerts.config import RulesConfig
from alerts.delivery import RetryPolicy
from alerts.links import LinkSigner
from alerts.loader import load_rules
from alerts.notifiers import build_notifier
from alerts.pipeline import Pipeline
from alerts.publisher import IncidentPublisher
from alerts.settings import AlertsSettings, link_secret
from radar.clock import Clock, SystemClock
from radar.errors import RadarError, ValidationFailed
from radar.events import Signal, deadletter_for, parse_model
from radar.i18n import Locale
from radar.settings import CoreSettings, KafkaSecurity, codec
from radar.store import Store
from radar.store.writes import WriteAttempts
from radar.topics import Topics

log = logging.getLogger(__name__)


def build_pipeline(
    core: CoreSettings,
    settings: AlertsSettings,
    *,
    config: RulesConfig | None = None,
    store: Store | None = None,
    clock: Clock | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> Pipeline:
    """The pipeline for these settings (no Kafka needed)."""
    clock = clock or SystemClock()
    config = config or load_rules(settings.resolved_rules_file)
    store = store or Store.from_settings(core)
    links = LinkSigner(
        link_secret(settings, core), core.dashboard_url, timedelta(hours=settings.link_ttl_hours)
    )
    notifiers = {
        r.name: build_notifier(r.name, r.config, timeout=settings.send_timeout_s, clock=clock)
        for r in config.receivers
    }
    policy = RetryPolicy(
        initial=timedelta(seconds=settings.retry_initial_s),
        maximum=timedelta(seconds=settings.retry_max_s),
        max_attempts=settings.retry_max_attempts,
    )
    return Pipeline(
        config,
        store,
        notifiers,
        clock,
        links,
        policy=policy,
        executor=executor,
        max_signal_age=timedelta(seconds=settings.max_signal_age_s),
        locale=Locale.from_settings(core),
    )


class AlertService:
    """``radar alerts run``: runnable in the foreground or in a thread (:meth:`start`)."""

    def __init__(
        self,
        core: CoreSettings | None = None,
        settings: AlertsSettings | None = None,
        *,
        config: RulesConfig | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.core = core or CoreSettings()
        self.settings = settings or AlertsSettings()
        self.topics = Topics.from_settings(self.core)
        self.executor = ThreadPoolExecutor(self.settings.delivery_threads, "radar-deliver")
        self.pipeline = build_pipeline(
            self.core, self.settings, config=config, clock=clock, executor=self.executor
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        #: failures of the signal being applied, by its place in the topic (poison limit)
        self._attempts: dict[str, WriteAttempts] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> AlertService:
        """Run in background threads; :meth:`stop` ends them."""
        thread = threading.Thread(target=self.run, name="radar-alerts", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)

    def run(self) -> None:
        """Consume, tick and publish until :meth:`stop` (or Ctrl-C in the foreground)."""
        from kafka import KafkaConsumer, KafkaProducer

        bootstrap = self.core.kafka_bootstrap.split(",")
        auth = KafkaSecurity().kafka_python()
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            **auth,
            group_id=self.settings.group_id,
            client_id="radar-alerts",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        # joining before the broker lists the topic's partitions (a topic created a moment
        # ago) leaves the service with none of them until the next metadata refresh (minutes)
        _wait_for_partitions(consumer, self.topics.signals, self._stop)
        consumer.subscribe([self.topics.signals])
        producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            **auth,
            client_id="radar-alerts",
            acks="all",
            linger_ms=5,
            compression_type=codec(self.core.kafka_compression),
        )
        publisher = IncidentPublisher(
            self.pipeline.store, producer, self.topics.incidents, self.pipeline.links
        )
        deliverer = threading.Thread(
            target=self._deliver_loop, name="radar-alerts-deliver", daemon=True
        )
        deliverer.start()
        log.info(
            "alert service reading %s with %d rules",
            self.topics.signals,
            len(self.pipeline.config.rules),
        )
        try:
            while not self._stop.is_set():
                batch = consumer.poll(timeout_ms=int(self.settings.tick_s * 1000), max_records=500)
                if batch:
                    self._consume(consumer, producer, batch)
                self._guarded(self.pipeline.tick, "tick")
                self._guarded(publisher.publish_pending, "publish")
        finally:
            self._stop.set()
            deliverer.join(30)
            consumer.close()
            producer.close(timeout=10)
            self.executor.shutdown(wait=True)

    # -- steps -------------------------------------------------------------------------------
    def _consume(self, consumer: Any, producer: Any, batch: dict[Any, list[Any]]) -> None:
        for partition, records in batch.items():
            for record in records:
                locator = f"{partition.topic}:{partition.partition}@{record.offset}"
                try:
                    self._handle(record.value, producer, locator)
                except Exception as exc:
                    attempts = self._attempts.setdefault(locator, WriteAttempts(locator))
                    delay = attempts.failed(exc)
                    if delay is not None:
                        # the store is down or locked: read this record again after a pause
                        log.exception("cannot apply signal at %s; retrying", locator)
                        consumer.seek(partition, record.offset)
                        self._stop.wait(delay)
                        break
                    # refused every time: set aside with its reason, the partition goes on
                    self._set_aside(record.value, exc, producer, locator)
                self._attempts.pop(locator, None)
                consumer.commit({partition: _offset(record.offset + 1)})

    def _handle(self, value: bytes, producer: Any, locator: str) -> None:
        try:
            signal = parse_model(Signal, value)
        except ValidationFailed as exc:
            self._dead_letter(value, exc, producer, locator)
            metrics.signal_rejected()
            log.warning("unreadable signal dead-lettered (%s): %s", exc.reason, exc)
            return
        metrics.signal_applied(signal, self.pipeline.handle(signal))

    def _set_aside(self, value: bytes, exc: BaseException, producer: Any, locator: str) -> None:
        message = f"the alert service cannot apply this signal: {exc!r}"
        self._dead_letter(
            value, ValidationFailed(message, reason="unprocessable"), producer, locator
        )
        metrics.signal_rejected()

    def _dead_letter(
        self, value: bytes, error: ValidationFailed, producer: Any, locator: str
    ) -> None:
        letter = deadletter_for(
            value, error, now=self.pipeline.clock.now(), stage="alerts", locator=locator
        )
        producer.send(self.topics.deadletter, key=letter.id.encode(), value=letter.to_json())
        producer.flush(timeout=30)

    def _deliver_loop(self) -> None:
        while not self._stop.is_set():
            self._guarded(self.pipeline.deliver_due, "delivery")
            self._stop.wait(self.settings.tick_s)

    def _guarded(self, step: Any, what: str) -> None:
        try:
            step()
        except RadarError as exc:
            log.error("%s failed: %s", what, exc)
        except Exception:  # never die of one bad round; the next tick tries again
            log.exception("%s failed", what)


def _wait_for_partitions(consumer: Any, topic: str, stop: threading.Event) -> None:
    """Return once the broker's metadata lists ``topic``'s partitions (or ``stop`` is set)."""
    waited = 0.0
    while not stop.is_set() and not consumer.partitions_for_topic(topic):
        if waited in (5.0, 60.0):
            log.warning("waiting for the partitions of %s (does the topic exist?)", topic)
        stop.wait(0.5)
        waited += 0.5


def _offset(value: int) -> Any:
    from kafka.structs import OffsetAndMetadata

    return OffsetAndMetadata(value, "", -1)
