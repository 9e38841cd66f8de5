"""Stream processing: the sink stage (scored events, dead letters, heartbeats → the store)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DataError, IntegrityError

from radar.clock import Clock, SystemClock
from radar.errors import ValidationFailed
from radar.events import (
    DeadLetter,
    Heartbeat,
    ScoredEvent,
    Signal,
    deadletter_for,
    parse_values,
)
from radar.store import Store
from radar.store.signals import record_signals
from streams import metrics

log = logging.getLogger(__name__)

M = TypeVar("M", ScoredEvent, DeadLetter, Heartbeat, Signal)

#: Errors of one record's values (a number too large for its column, a constraint), not of
#: the database being away: the record becomes a dead letter instead of being retried forever.
#: A store that is down or locked raises OperationalError and is retried by the caller.
UNSTORABLE = (OverflowError, DataError, IntegrityError)


@dataclass
class SinkResult:
    """What one batch did to the store."""

    stored: int = 0
    duplicates: int = 0
    rejected: int = 0


class StoreSink:
    """Writes batches of topic values into the store, idempotent by id.

    Values that do not parse are stored as dead letters (stage ``sink``), so
    nothing is dropped and one bad record never stops the sink.
    """

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or SystemClock()

    def write_scored(self, values: Sequence[bytes]) -> SinkResult:
        events, rejects = self._parse(values, ScoredEvent, "scored")
        try:
            stored = self.store.add_scored(events)
        except UNSTORABLE:  # a value the database cannot hold: find it, store the others
            stored = 0
            for event in events:
                try:
                    stored += self.store.add_scored([event])
                except UNSTORABLE as exc:
                    rejects.append(self._unstorable(event, exc))
        self.store.add_deadletters(rejects)
        return SinkResult(stored=stored, duplicates=len(events) - stored, rejected=len(rejects))

    def write_deadletters(self, values: Sequence[bytes]) -> SinkResult:
        letters, rejects = self._parse(values, DeadLetter, "deadletter")
        stored = self.store.add_deadletters([*letters, *rejects])
        return SinkResult(stored=stored, duplicates=len(letters) + len(rejects) - stored)

    def write_heartbeats(self, values: Sequence[bytes]) -> SinkResult:
        beats, rejects = self._parse(values, Heartbeat, "heartbeat")
        latest: dict[str, Heartbeat] = {}
        for beat in beats:
            if beat.source not in latest or beat.at >= latest[beat.source].at:
                latest[beat.source] = beat
        for beat in latest.values():
            self.store.record_heartbeat(beat)
        self.store.add_deadletters(rejects)
        return SinkResult(stored=len(latest), rejected=len(rejects))

    def write_signals(self, values: Sequence[bytes]) -> SinkResult:
        signals, rejects = self._parse(values, Signal, "signal")
        stored = record_signals(self.store, signals)
        self.store.add_deadletters(rejects)
        return SinkResult(stored=stored, rejected=len(rejects))

    def _unstorable(self, event: ScoredEvent, exc: Exception) -> DeadLetter:
        log.warning("scored event %s cannot be stored, dead-lettered: %r", event.id, exc)
        error = ValidationFailed(f"the store cannot hold this event: {exc!r}", reason="unstorable")
        letter = deadletter_for(
            event.to_json(),
            error,
            now=self.clock.now(),
            stage="sink",
            source=event.source,
            channel=event.channel,
            locator=f"event:{event.id}",
        )
        metrics.dead_letters([letter])
        return letter

    def _parse(
        self, values: Sequence[bytes], model: type[M], what: str
    ) -> tuple[list[M], list[DeadLetter]]:
        parsed, rejects = parse_values(
            values, model, now=self.clock.now(), stage="sink", locator=f"topic:{what}"
        )
        for letter in rejects:
            log.warning("unreadable %s record dead-lettered: %s", what, letter.message)
        metrics.dead_letters(rejects)
        return parsed, rejects
