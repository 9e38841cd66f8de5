"""Store: retention (PIPL). Customer texts are kept ``RADAR_RETENTION_DAYS``; counts stay.

After the retention period a message keeps what it counts for (channel, time,
product, shop, region, topics, sentiment, complaint, severity, ratings, thread
ids) and loses what the customer wrote and who they were: ``text`` (emptied),
``title``, ``url``, ``author`` and ``attributes``. The standing text sample
(``text_samples``) and the dead letters (whose ``original`` is input as it came)
older than that are deleted, and so are the sample messages kept as evidence on
signals, alerts, incidents and sent notifications. Roll-ups, window counts,
signals' figures and incident timelines are kept, so every chart and
improvement measurement still adds up.

:func:`strip_samples` is shared with erasure (:mod:`radar.store.erasure`), which
removes one customer's samples wherever they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Table, delete, null, or_, select, true, update

from radar.clock import ensure_utc
from radar.store.alerting import alerts, notifications
from radar.store.feedback import Store
from radar.store.incidents import incidents
from radar.store.samples import text_samples
from radar.store.signals import signals
from radar.store.tables import deadletters, events

Sample = Mapping[str, Any]
#: Rows updated per transaction.
BATCH = 1000


@dataclass(frozen=True)
class Pruned:
    """What one pass of the retention removed."""

    cutoff: datetime
    events_redacted: int = 0
    text_samples: int = 0
    deadletters: int = 0
    signal_samples: int = 0
    alert_samples: int = 0
    incident_samples: int = 0
    notification_samples: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "cutoff": self.cutoff.isoformat()}


def sample_time(sample: Sample, fallback: datetime | None) -> datetime | None:
    """When a sample was said (its ``created_at``), else ``fallback`` (its window's end)."""
    value = sample.get("created_at")
    if isinstance(value, datetime):
        return ensure_utc(value)
    if isinstance(value, str) and value:
        try:
            return ensure_utc(datetime.fromisoformat(value))
        except ValueError:
            return fallback
    return fallback


def _when(value: Any) -> datetime | None:
    return sample_time({"created_at": value}, None)


def strip_samples(data: Any, drop: Callable[[Sample, datetime | None], bool]) -> tuple[Any, int]:
    """``data`` (JSON: a signal, an alert, an incident's data, a notification) without the
    samples ``drop`` picks, wherever a ``samples`` list sits; returns (new data, removed).

    ``drop`` gets each sample and the ``window_end`` of the object holding it.
    """
    if isinstance(data, list):
        removed = 0
        items = []
        for item in data:
            kept, n = strip_samples(item, drop)
            items.append(kept)
            removed += n
        return items, removed
    if not isinstance(data, dict):
        return data, 0
    removed = 0
    out: dict[str, Any] = {}
    window_end = _when(data.get("window_end"))
    for key, value in data.items():
        if key == "samples" and isinstance(value, list):
            kept = [s for s in value if not (isinstance(s, dict) and drop(s, window_end))]
            removed += len(value) - len(kept)
            out[key] = kept
        else:
            out[key], n = strip_samples(value, drop)
            removed += n
    return out, removed


def rewrite_json(
    store: Store,
    table: Table,
    key: Column[Any],
    column: Column[Any],
    where: Any,
    drop: Callable[[Sample, datetime | None], bool],
    *,
    bare: bool = False,
) -> int:
    """Remove the samples ``drop`` picks from ``column`` of the rows ``where`` selects
    (``bare``: the column holds the list of samples itself)."""
    removed = 0
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(key, column).where(where)))
    for start in range(0, len(rows), BATCH):
        with store.engine.begin() as conn:
            for row_key, value in rows[start : start + BATCH]:
                if bare:
                    wrapped, n = strip_samples({"samples": value}, drop)
                    kept = wrapped["samples"]
                else:
                    kept, n = strip_samples(value, drop)
                if n:
                    conn.execute(update(table).where(key == row_key).values({column.name: kept}))
                    removed += n
    return removed


def prune(store: Store, days: int, *, now: datetime | None = None) -> Pruned:
    """Apply a retention of ``days`` days: redact and delete what is older (idempotent)."""
    if days < 1:
        msg = f"a retention of {days} days would delete today's texts; use 1 or more"
        raise ValueError(msg)
    cutoff = (now or store.clock.now()) - timedelta(days=days)

    def old(sample: Sample, window_end: datetime | None) -> bool:
        when = sample_time(sample, window_end)
        return when is not None and when < cutoff

    identifying = or_(
        events.c.text != "",
        events.c.title.is_not(None),
        events.c.url.is_not(None),
        events.c.author.is_not(None),
        events.c.attributes.is_not(None),
    )
    with store.engine.begin() as conn:
        redacted = conn.execute(
            update(events)
            .where(events.c.created_at < cutoff, identifying)
            .values(text="", title=None, url=None, author=None, attributes=null())
        ).rowcount
        sampled = conn.execute(
            delete(text_samples).where(text_samples.c.created_at < cutoff)
        ).rowcount
        letters = conn.execute(
            delete(deadletters).where(deadletters.c.created_at < cutoff)
        ).rowcount
    return Pruned(
        cutoff=cutoff,
        events_redacted=int(redacted or 0),
        text_samples=int(sampled or 0),
        deadletters=int(letters or 0),
        signal_samples=rewrite_json(
            store,
            signals,
            signals.c.id,
            signals.c.samples,
            signals.c.window_start < cutoff,
            old,
            bare=True,
        ),
        # a reminder sent today may quote a sample of last month: every row is looked at
        alert_samples=rewrite_json(
            store, alerts, alerts.c.fingerprint, alerts.c.signal, true(), old
        ),
        incident_samples=rewrite_json(
            store, incidents, incidents.c.id, incidents.c.data, true(), old
        ),
        notification_samples=rewrite_json(
            store, notifications, notifications.c.id, notifications.c.payload, true(), old
        ),
    )


__all__ = ["Pruned", "prune", "rewrite_json", "sample_time", "strip_samples"]
