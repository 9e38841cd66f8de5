"""Store: erasing one customer (PIPL 删除权), everywhere Radar keeps what they wrote.

A customer is named by author (their name on the platform, or the ``u_…``
pseudonym Radar made of it) or by the source's id of their messages
(``external_id``, as given or as the ``p_…`` pseudonym Radar made of an id that
held personal data). :func:`forget` deletes their messages (and the likely
duplicates flagged against them) from ``events``, ``event_topics`` and
``text_samples``; removes the samples quoting them from signals, alerts,
incidents' evidence and sent notifications (by event id, and by text where a
sample keeps no id); replaces their thread ids where an unanswered signal was
keyed by one (:mod:`radar.store.erasure_threads`); deletes the dead letters that
name them; clears them from the connectors' duplicate index in the data dir; and
writes what was erased to ``user_actions`` (``store.forget``), with pseudonyms only.

Counts already rolled up (hourly and daily statistics, window counts, signals'
figures) keep the erased messages until their hour or day is recomputed; they
hold no personal data. What sits in Kafka topics ages out with the topics'
retention (docs/security.md).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, true

from radar.masking import mask_text, pseudonymise
from radar.store.alerting import alerts, notifications
from radar.store.audit import record_action
from radar.store.erasure_threads import customer_threads, scrub_threads
from radar.store.feedback import Store
from radar.store.incidents import incidents
from radar.store.retention import Sample, rewrite_json
from radar.store.samples import text_samples
from radar.store.signals import signals
from radar.store.tables import deadletters, event_topics, events

log = logging.getLogger(__name__)

PSEUDONYM = re.compile(r"^[up]_[0-9a-f]{16}$")
CHUNK = 500


@dataclass(frozen=True)
class Erased:
    """What :func:`forget` removed."""

    authors: list[str] = field(default_factory=list)  # the pseudonyms looked for
    external_ids: list[str] = field(default_factory=list)
    events: int = 0
    text_samples: int = 0
    signal_samples: int = 0
    alert_samples: int = 0
    incident_samples: int = 0
    notification_samples: int = 0
    deadletters: int = 0
    duplicate_index: int = 0
    #: rows (signals, alerts, groups, incidents, timeline entries, notifications) whose
    #: unanswered-signal thread id was replaced
    thread_keys: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def author_pseudonyms(authors: Iterable[str], key: bytes) -> list[str]:
    """The ``u_…`` pseudonyms to look for: a pseudonym as given, a name as Radar pseudonymises
    it (the same key the connectors use)."""
    found = []
    for author in authors:
        text = author.strip()
        if text:
            found.append(text if PSEUDONYM.match(text) else pseudonymise(text, key))
    return list(dict.fromkeys(found))


def external_id_forms(external_ids: Iterable[str], key: bytes) -> list[str]:
    """An id as given, and the ``p_…`` pseudonym a connector makes of an id holding personal
    data (a phone number as a chat id)."""
    found = []
    for value in external_ids:
        text = value.strip()
        if text:
            found.append(text)
            if not PSEUDONYM.match(text):
                found.append("p_" + pseudonymise(text, key).removeprefix("u_"))
    return list(dict.fromkeys(found))


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _messages(store: Store, authors: Sequence[str], external_ids: Sequence[str]) -> dict[str, str]:
    """Ids and texts of the customer's messages and the copies flagged against them."""
    found: dict[str, str] = {}
    with store.engine.connect() as conn:
        for chunk in _chunks(authors):
            query = select(events.c.id, events.c.text).where(events.c.author.in_(chunk))
            for row in conn.execute(query):
                found[row.id] = row.text
        for chunk in _chunks(external_ids):
            query = select(events.c.id, events.c.text).where(events.c.external_id.in_(chunk))
            for row in conn.execute(query):
                found[row.id] = row.text
        for chunk in _chunks(list(found)):
            query = select(events.c.id, events.c.text).where(events.c.duplicate_of.in_(chunk))
            for row in conn.execute(query):
                found[row.id] = row.text
    return found


def _names(text: str, needles: Sequence[str]) -> bool:
    """Whether ``text`` holds one of ``needles`` as a whole token (not inside a longer id)."""
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text) for n in needles if n)


def _deadletters(store: Store, needles: Sequence[str]) -> int:
    if not needles:
        return 0
    likely = or_(*(deadletters.c.original.contains(n, autoescape=True) for n in needles))
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(deadletters.c.id, deadletters.c.original).where(likely)))
    doomed = [r.id for r in rows if _names(r.original, needles)]
    with store.engine.begin() as conn:
        for chunk in _chunks(doomed):
            conn.execute(delete(deadletters).where(deadletters.c.id.in_(chunk)))
    return len(doomed)


def _duplicate_index(path: Path, authors: Sequence[str], ids: Sequence[str]) -> int:
    """Rows of the connectors' duplicate index (``<data_dir>/ingest/recent.sqlite``)."""
    if not path.is_file():
        return 0
    removed = 0
    with sqlite3.connect(path, timeout=30) as conn:
        try:
            for chunk in _chunks(authors):
                marks = ",".join("?" * len(chunk))
                sql = f"DELETE FROM recent WHERE author IN ({marks})"  # noqa: S608 - placeholders
                removed += conn.execute(sql, chunk).rowcount
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                sql = f"DELETE FROM recent WHERE id IN ({marks})"  # noqa: S608 - placeholders
                removed += conn.execute(sql, chunk).rowcount
        except sqlite3.OperationalError as exc:  # an index of another layout: say so, go on
            log.warning("could not clear the duplicate index %s: %s", path, exc)
    return removed


def forget(
    store: Store,
    *,
    authors: Sequence[str] = (),
    external_ids: Sequence[str] = (),
    key: bytes,
    by: str,
    data_dir: Path | None = None,
    now: datetime | None = None,
) -> Erased:
    """Erase every message of the customer named by ``authors`` / ``external_ids``."""
    pseudonyms = author_pseudonyms(authors, key)
    ids_given = external_id_forms(external_ids, key)
    if not pseudonyms and not ids_given:
        msg = "name the customer: at least one --author or --external-id"
        raise ValueError(msg)
    found = _messages(store, pseudonyms, ids_given)
    threads = customer_threads(store, pseudonyms, ids_given)
    event_ids = list(found)
    texts = {t for t in found.values() if t} | {mask_text(t) for t in found.values() if t}

    def theirs(sample: Sample, _window_end: datetime | None) -> bool:
        return sample.get("id") in found or sample.get("text") in texts

    removed_events = removed_samples = 0
    with store.engine.begin() as conn:
        for chunk in _chunks(event_ids):
            conn.execute(delete(event_topics).where(event_topics.c.event_id.in_(chunk)))
            gone = conn.execute(delete(text_samples).where(text_samples.c.event_id.in_(chunk)))
            removed_samples += int(gone.rowcount or 0)
            removed_events += int(
                conn.execute(delete(events).where(events.c.id.in_(chunk))).rowcount or 0
            )
    erased = Erased(
        authors=pseudonyms,
        external_ids=ids_given,
        events=removed_events,
        text_samples=removed_samples,
        signal_samples=rewrite_json(
            store, signals, signals.c.id, signals.c.samples, true(), theirs, bare=True
        ),
        alert_samples=rewrite_json(
            store, alerts, alerts.c.fingerprint, alerts.c.signal, true(), theirs
        ),
        incident_samples=rewrite_json(
            store, incidents, incidents.c.id, incidents.c.data, true(), theirs
        ),
        notification_samples=rewrite_json(
            store,
            notifications,
            notifications.c.id,
            notifications.c.payload,
            true(),
            theirs,
        ),
        deadletters=_deadletters(store, [*pseudonyms, *ids_given]),
        duplicate_index=0
        if data_dir is None
        else _duplicate_index(data_dir / "ingest" / "recent.sqlite", pseudonyms, event_ids),
        thread_keys=scrub_threads(store, threads),
    )
    counts = {k: v for k, v in erased.as_dict().items() if isinstance(v, int)}
    record_action(
        store,
        by,
        "store.forget",
        ", ".join([*pseudonyms, *ids_given])[:200],
        ", ".join(f"{k} {v}" for k, v in counts.items()),
        {"authors": pseudonyms, "external_ids": ids_given, **counts},
        now=now,
    )
    return erased


__all__ = ["Erased", "author_pseudonyms", "external_id_forms", "forget"]
