"""Connectors: the contract every connector follows (what it yields, and when it is called).

A connector knows one kind of source and nothing about Kafka. It turns what it
reads into :class:`SourceRecord` values and says, with each record, how far
it got (``position``). The machinery around it does the rest, the same way
for every connector:

1. :class:`ingest.emitter.Emitter` turns each record into a contract event
   (:class:`ingest.normalize.Normaliser`: field types, event time, masking of
   personal data, pseudonymised author), flags likely duplicates, and sends it
   to ``feedback.raw``; records that cannot be events go to
   ``feedback.deadletter`` with a reason code, a message and the original payload.
2. :class:`ingest.runner.Runner` calls :meth:`PullConnector.read` once per poll,
   waits for Kafka's acknowledgement (``producer.flush()``) every
   ``flush_every`` records and only then writes the positions of the records
   sent so far into the checkpoint. A crash therefore loses nothing, and a
   restart re-sends at most the records after the last checkpoint, with the
   same ids, which the store ignores.
3. Between polls the runner sends a heartbeat per source, so downstream can
   tell "customers went quiet" from "the source is down", and keeps the
   Prometheus metrics of :mod:`ingest.metrics` up to date.

Push sources (HTTP endpoints for surveys and social mentions) have no poll:
they hand each request's record to the same :class:`~ingest.emitter.Emitter`
and answer only after Kafka acknowledged it (:mod:`ingest.intake`).

What a pull connector must do:

- set ``channel`` (a contract channel) and ``source`` (a stable name: it is
  part of every event id, so renaming it re-ingests everything under new ids);
- provide ``normaliser`` (usually :func:`ingest.emitter.make_normaliser`);
- implement :meth:`PullConnector.read`: given the last checkpoint state, yield
  every record after it, each with the ``position`` that is true once it and
  every record before it are acknowledged. Yield a :class:`Position` for
  progress that has no record (a feed's ETag after its last entry). Never
  raise for one bad item: yield a record with ``error`` set instead. Raise
  :class:`SourceUnavailable` when the source cannot be reached at all;
- give ``source_fields`` contract names where it knows them (``text``,
  ``created_at``, ``author``, ``thread_id``...); other keys become masked
  ``attributes`` of the event.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.normalize import Normaliser
from radar.errors import RadarError, ValidationFailed

#: A checkpoint: JSON-serialisable values by key, written after Kafka acknowledged.
State = Mapping[str, Any]


class SourceUnavailable(RadarError):
    """The source cannot be read right now (network, login, server error); retried next poll."""


@dataclass(frozen=True)
class SourceRecord:
    """One item read from a source, good or bad.

    ``fields`` are the item's values (contract names where the connector knows
    them), or None when the item could not be read at all; ``raw`` is the
    original payload, kept exactly in a dead letter; ``error`` says why the
    item cannot become an event; ``position`` holds the checkpoint updates that
    are true once this record and every one before it are acknowledged.
    """

    locator: str
    fields: Mapping[str, Any] | None
    raw: bytes | str | Mapping[str, Any]
    error: ValidationFailed | None = None
    position: State | None = None


@dataclass(frozen=True)
class Position:
    """Checkpoint updates that come with no record (a feed's ETag, a mailbox's UIDVALIDITY)."""

    updates: State = field(default_factory=dict)


class PullConnector(ABC):
    """A source that Radar reads from: files, folders, APIs, feeds, mailboxes.

    The runner calls :meth:`read` once per poll with the last saved state and
    :meth:`close` when it stops. :meth:`backlog` may estimate the work left
    (for the progress bar); ``None`` means unknown.
    """

    name: str = "connector"
    channel: str
    source: str
    normaliser: Normaliser

    @abstractmethod
    def read(self, state: State) -> Iterator[SourceRecord | Position]:
        """Every record after ``state``, in source order, each with its position."""

    def backlog(self, state: State) -> tuple[int, int] | None:
        """(done, total) in the connector's own unit (bytes, items), when it knows."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook, most connectors hold nothing
        """Release connections; called once when the runner stops."""


def bad_record(
    locator: str,
    raw: bytes | str | Mapping[str, Any],
    message: str,
    reason: str,
    *,
    field_name: str | None = None,
    position: State | None = None,
) -> SourceRecord:
    """A record that cannot become an event; it goes to the dead letters with ``reason``."""
    error = ValidationFailed(message, reason=reason, field=field_name)
    return SourceRecord(locator, None, raw, error, position)


__all__ = ["Position", "PullConnector", "SourceRecord", "SourceUnavailable", "State", "bad_record"]
