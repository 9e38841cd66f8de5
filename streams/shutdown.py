"""Stream processing: the worker stops within seconds of SIGTERM, with or without a broker.

Faust's stop pauses the partitions, drops the records waiting in the agents' queues, waits until
every record read so far is acknowledged ("Wait for streams..."), commits, and leaves the group.
Three things held it back:

* a record of a topic two agents read (feedback.scored: the sink and counting) that one agent
  took and the other had only queued is never acknowledged by the second (its queue was
  dropped), so Faust waited forever although the broker was up. :class:`RadarApp`'s consumer
  waits for the agents' batches in progress at most ``stream_wait_s`` (half the stop deadline),
  then commits what was acknowledged: the rest is read again at the next start.
* with the broker gone, aiokafka's ``Fetcher.close()`` cancels a fetch that sleeps in its retry
  back-off and awaits it, so the cancellation escapes ``AIOKafkaConsumer.stop()``; Faust's
  consumer thread then never reports that it stopped, and the app waits mode's 60 s shutdown
  timeout for it. :class:`RadarApp` uses a consumer thread that finishes closing the client
  instead.
* with the broker gone, committing waits for a group coordinator, and flushing the producer
  for an acknowledgement, until it is back. :class:`RadarWorker` gives the whole stop a deadline
  (``RADAR_WORKER_SHUTDOWN_TIMEOUT_S``); past it the process exits at once with
  :data:`EXIT_STOP_TIMEOUT`.

Exiting at the deadline loses nothing: offsets are committed only for batches the store holds
(and the scored records they produced were acknowledged), so whatever was not committed is read
again by the next worker, and every store write is idempotent by id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Consumer, Transport
from faust.worker import Worker

log = logging.getLogger(__name__)

#: Exit status when the stop outran its deadline (EX_TEMPFAIL: try again later is safe).
EXIT_STOP_TIMEOUT = 75


class _ConsumerThread(AIOKafkaConsumerThread):
    async def on_thread_stop(self) -> None:
        try:
            await super().on_thread_stop()
        except asyncio.CancelledError:
            # raised by Fetcher.close() for its own cancelled fetch, not a cancellation of this
            # task: close what AIOKafkaConsumer.stop() did not reach, then report stopped
            log.info("consumer: the broker is unreachable; closing without it")
            consumer = self._consumer
            client = getattr(consumer, "_client", None)
            if client is not None:
                await client.close()


class _Consumer(Consumer):
    async def wait_empty(self) -> None:
        """Faust's ``wait_empty``, for at most the app's ``stream_wait_s``."""
        waited = float(getattr(self.app, "stream_wait_s", RadarApp.stream_wait_s))
        deadline = time.monotonic() + waited
        while not self.should_stop and self._unacked_messages:
            await self.commit()
            self._clean_unacked_messages()
            left = deadline - time.monotonic()
            if not self._unacked_messages or left <= 0:
                break
            await self._wait_for_ack(timeout=min(1.0, left))
            self._clean_unacked_messages()
        if self._unacked_messages:
            where = sorted(
                {f"{m.tp.topic}[{m.tp.partition}]@{m.offset}" for m in self._unacked_messages}
            )
            log.info(
                "stopping with %d records read but not processed (after %.0fs): %s; "
                "they are read again at the next start",
                len(self._unacked_messages),
                waited,
                ", ".join(where[:10]),
            )
        await self.commit_and_end_transactions()

    def _new_consumer_thread(self) -> AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(Transport):
    Consumer = _Consumer


class RadarApp(faust.App):
    """A Faust app whose Kafka consumer stops promptly, the broker up or gone."""

    #: How long a stop waits for the agents' batches in progress before committing.
    stream_wait_s: float = 4.0

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)


class RadarWorker(Worker):
    """Faust's worker with a deadline on stopping: SIGTERM or Ctrl-C, then at most
    ``shutdown_timeout_s`` seconds before the process exits."""

    def __init__(self, *services: Any, shutdown_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*services, **kwargs)
        self.shutdown_timeout_s = shutdown_timeout_s
        self._deadline: threading.Timer | None = None

    def _schedule_shutdown(self, signal: signal.Signals) -> None:
        if self._deadline is None:
            # a thread, not the event loop: it fires even when the loop is stuck
            self._deadline = threading.Timer(self.shutdown_timeout_s, self._stop_now)
            self._deadline.daemon = True
            self._deadline.start()
        super()._schedule_shutdown(signal)

    def _stop_now(self) -> None:
        log.warning(
            "still stopping after %.0fs (is Kafka reachable?): exiting now; what was not "
            "committed is read again at the next start, and stored only once",
            self.shutdown_timeout_s,
        )
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(EXIT_STOP_TIMEOUT)
