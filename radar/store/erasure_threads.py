"""Store: erasing one customer's thread ids from what the unanswered detector reported.

An ``unanswered`` signal is keyed by the thread it waited on (``{"channel": …,
"thread": …}``: the messages' ``thread_id``, else the complaint's
``external_id``), and that id travels on: the signal's ``key`` and
``key_text``, its alerts' labels and copies of the signal, their alert group,
the incident's key, title, data and timeline, and the notifications sent. An id
such as an order number or a phone-number chat id names the customer, so
:func:`scrub_threads` replaces it with :data:`ERASED` wherever those rows hold
it (as a whole value or a whole token inside a text, never inside a longer id).

Only threads an unanswered signal was keyed by are looked for, and only in the
rows that came from such a signal: a short id such as ``12`` is never replaced
in an unrelated text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Table, or_, select, update

from radar.store.alerting import alert_groups, alerts, notifications
from radar.store.feedback import Store
from radar.store.incidents import incident_events, incidents
from radar.store.signals import key_text, signals
from radar.store.tables import events

#: What an erased thread id becomes.
ERASED = "[erased]"
CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def customer_threads(
    store: Store, authors: Sequence[str], external_ids: Sequence[str]
) -> list[str]:
    """The thread keys the customer's messages could wait on (their ``thread_id`` and
    ``external_id``), and the ids given; read before the messages are deleted."""
    found: dict[str, None] = dict.fromkeys(i for i in external_ids if i)
    columns = select(events.c.thread_id, events.c.external_id)
    with store.engine.connect() as conn:
        for field, values in ((events.c.author, authors), (events.c.external_id, external_ids)):
            for chunk in _chunks(values):
                for row in conn.execute(columns.where(field.in_(chunk))):
                    for value in (row.thread_id, row.external_id):
                        if value:
                            found[str(value)] = None
    return list(found)


class _Scrubber:
    """Replaces the given ids, as whole values or whole tokens, in JSON and text."""

    def __init__(self, threads: Iterable[str]) -> None:
        self.threads = sorted(set(threads), key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in self.threads)
        self.pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def text(self, value: str) -> str:
        return value if not self.threads else self.pattern.sub(ERASED, value)

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        return value


def _rewrite(
    store: Store, table: Table, key: Column[Any], where: Any, scrub: _Scrubber, *cols: Column[Any]
) -> int:
    """Scrub ``cols`` of the rows ``where`` selects; returns the rows changed."""
    changed = 0
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(key, *cols).where(where)))
    with store.engine.begin() as conn:
        for row in rows:
            values = {}
            for column, value in zip(cols, row[1:], strict=True):
                new = scrub.json(value)
                if new != value:
                    values[column.name] = new
            if values:
                conn.execute(update(table).where(key == row[0]).values(values))
                changed += 1
    return changed


def scrub_threads(store: Store, threads: Sequence[str]) -> int:
    """Replace ``threads`` in every row an unanswered signal keyed by one of them left;
    returns the rows changed."""
    wanted = set(threads)
    if not wanted:
        return 0
    with store.engine.connect() as conn:
        found = [
            (row.id, row.key)
            for row in conn.execute(
                select(signals.c.id, signals.c.key).where(signals.c.type == "unanswered")
            )
            if isinstance(row.key, dict) and row.key.get("thread") in wanted
        ]
    if not found:
        return 0
    scrub = _Scrubber({str(k["thread"]) for _, k in found})
    ids = [signal_id for signal_id, _ in found]
    changed = 0
    with store.engine.begin() as conn:
        for signal_id, key in found:
            clean = scrub.json(key)
            conn.execute(
                update(signals)
                .where(signals.c.id == signal_id)
                .values(key=clean, key_text=key_text(clean))
            )
            changed += 1
    groups: set[str] = set()
    with store.engine.connect() as conn:
        for chunk in _chunks(ids):
            query = select(alerts.c.group_key).where(alerts.c.signal_id.in_(chunk))
            keys: list[object] = list(conn.scalars(query))
            groups.update(str(g) for g in keys)
    changed += _rewrite(
        store,
        alerts,
        alerts.c.fingerprint,
        alerts.c.signal_id.in_(ids),
        scrub,
        alerts.c.labels,
        alerts.c.signal,
    )
    if not groups:
        return changed
    chosen = sorted(groups)
    with store.engine.connect() as conn:
        opened: list[object] = list(
            conn.scalars(select(incidents.c.id).where(incidents.c.group_key.in_(chosen)))
        )
        opened += conn.scalars(
            select(alert_groups.c.incident_id).where(alert_groups.c.group_key.in_(chosen))
        )
    incident_ids = sorted({str(i) for i in opened if i})
    changed += _rewrite(
        store,
        alert_groups,
        alert_groups.c.group_key,
        alert_groups.c.group_key.in_(chosen),
        scrub,
        alert_groups.c.labels,
    )
    changed += _rewrite(
        store,
        incidents,
        incidents.c.id,
        incidents.c.id.in_(incident_ids),
        scrub,
        incidents.c.key,
        incidents.c.title,
        incidents.c.data,
    )
    changed += _rewrite(
        store,
        incident_events,
        incident_events.c.id,
        incident_events.c.incident_id.in_(incident_ids),
        scrub,
        incident_events.c.message,
        incident_events.c.data,
    )
    changed += _rewrite(
        store,
        notifications,
        notifications.c.id,
        or_(
            notifications.c.group_key.in_(chosen),
            notifications.c.incident_id.in_(incident_ids),
        ),
        scrub,
        notifications.c.firing,
        notifications.c.payload,
    )
    return changed


__all__ = ["ERASED", "customer_threads", "scrub_threads"]
