"""Connectors: run a pull connector once or until stopped (flush, then checkpoint; heartbeats)."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.base import Position, PullConnector, SourceUnavailable
from ingest.checkpoint import CheckpointStore
from ingest.emitter import Emitter, Outcome
from ingest.producer import DeliveryFailed
from ingest.settings import ConnectorSettings

log = logging.getLogger(__name__)

#: Called with (done, total) of a backfill, in the connector's own unit.
ProgressCallback = Callable[[int, int], None]


@dataclass
class RunSummary:
    """What a run read and sent (over all its polls)."""

    records: int = 0
    events: int = 0
    duplicates: int = 0
    deadletters: Counter[str] = field(default_factory=Counter)
    polls: int = 0
    failed_polls: int = 0

    def add(self, outcome: Outcome) -> None:
        self.records += 1
        if outcome.event_id is not None:
            self.events += 1
            self.duplicates += outcome.duplicate_of is not None
        elif outcome.reason is not None:
            self.deadletters[outcome.reason] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "events": self.events,
            "duplicates": self.duplicates,
            "deadletters": sum(self.deadletters.values()),
            "deadletters_by_reason": dict(self.deadletters),
            "polls": self.polls,
            "failed_polls": self.failed_polls,
        }


class Runner:
    """Drives one pull connector: read, send, flush, checkpoint, heartbeat.

    The checkpoint is written only after :meth:`Emitter.flush` returned, i.e.
    after Kafka acknowledged every record it covers.
    """

    def __init__(
        self,
        connector: PullConnector,
        emitter: Emitter,
        checkpoints: CheckpointStore,
        settings: ConnectorSettings,
        *,
        on_progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.connector = connector
        self.emitter = emitter
        self.checkpoints = checkpoints
        self.settings = settings
        self.on_progress = on_progress
        self.stop = stop or threading.Event()
        self.summary = RunSummary()

    @property
    def source(self) -> str:
        return self.connector.source

    def poll(self) -> int:
        """Read everything the source has after the checkpoint; returns how many records."""
        state = self.checkpoints.load(self.source)
        pending = dict(state)
        dirty = False
        count = 0
        started = time.monotonic()
        self._progress(state)
        try:
            for item in self.connector.read(state):
                if isinstance(item, Position):
                    pending.update(item.updates)
                    dirty = True
                    continue
                self.summary.add(self.emitter.emit(item))
                count += 1
                if item.position:
                    pending.update(item.position)
                    dirty = True
                if self.emitter.producer.pending >= self.settings.flush_every:
                    self._commit(pending, dirty)
                    dirty = False
                    self._progress(pending)
                if self.settings.rate_limit:
                    ahead = count / self.settings.rate_limit - (time.monotonic() - started)
                    if ahead > 0:
                        self.stop.wait(ahead)
                if self.stop.is_set():
                    break
        except SourceUnavailable:
            self._commit(pending, dirty)  # keep what was read before the source failed
            raise
        self._commit(pending, dirty)
        self._progress(pending)
        self.emitter.note_caught_up(found_new=count > 0)
        self.summary.polls += 1
        return count

    def _commit(self, pending: dict[str, Any], dirty: bool) -> None:
        self.emitter.flush()
        if dirty:
            self.checkpoints.save(self.source, pending)

    def _progress(self, state: dict[str, Any]) -> None:
        backlog = self.connector.backlog(state)
        if backlog is None:
            return
        done, total = backlog
        if total:
            self.emitter.metrics.backlog(1 - done / total)
        if self.on_progress is not None:
            self.on_progress(done, total)

    def run(self, *, follow: bool = False) -> RunSummary:
        """One poll (``follow=False``) or polls until :attr:`stop` is set, with heartbeats.

        In follow mode an unreachable source or Kafka is logged, reported as a
        ``down`` heartbeat when possible, and retried at the next poll.
        """
        next_beat = 0.0
        try:
            while True:
                try:
                    self.poll()
                    status, message = "ok", None
                except (SourceUnavailable, DeliveryFailed, OSError) as exc:
                    if not follow:
                        self._beat_quietly("down", str(exc))
                        raise
                    self.summary.failed_polls += 1
                    log.warning("%s: poll failed, retrying: %s", self.source, exc)
                    status, message = "down", str(exc)[:500]
                if not follow or self.stop.is_set():
                    self._beat_quietly(status, message)
                    return self.summary
                deadline = time.monotonic() + self.settings.poll_interval_s
                while not self.stop.is_set():
                    if time.monotonic() >= next_beat:
                        self._beat_quietly(status, message)
                        next_beat = time.monotonic() + self.settings.heartbeat_interval_s
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self.stop.wait(min(remaining, max(0.0, next_beat - time.monotonic())))
                if self.stop.is_set():
                    return self.summary
        finally:
            self.connector.close()

    def _beat_quietly(self, status: str, message: str | None) -> None:
        try:
            self.emitter.heartbeat(status, message)
        except DeliveryFailed as exc:  # Kafka itself is down: nothing to tell it
            log.warning("%s: heartbeat not delivered: %s", self.source, exc)
