"""Alerts: silences (mute matching alerts for a while, with owner and reason), the silence stage."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update

from alerts.matchers import Matcher, matches_all, parse_matcher
from alerts.model import Alert
from radar.errors import RadarError
from radar.i18n import Locale
from radar.store import Store
from radar.store.silences import silences


class SilenceNotFound(RadarError):
    """No silence has the given id."""


@dataclass(frozen=True)
class Silence:
    """Alerts whose labels match every matcher are muted between ``starts_at`` and ``ends_at``."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime
    updated_at: datetime
    expired_by: str | None = None
    notice_sent_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def state(self, now: datetime) -> str:
        if now < self.starts_at:
            return "pending"
        return "active" if now < self.ends_at else "expired"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return matches_all(self.matchers, labels)

    def describe(self) -> str:
        return ", ".join(str(m) for m in self.matchers)


def _silence(row: Any) -> Silence:
    m = row._mapping
    return Silence(
        id=m["id"],
        matchers=tuple(parse_matcher(text) for text in m["matchers"]),
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        created_by=m["created_by"],
        comment=m["comment"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        expired_by=m["expired_by"],
        notice_sent_at=m["notice_sent_at"],
    )


def create_silence(
    store: Store,
    matchers: Sequence[str],
    *,
    created_by: str,
    comment: str,
    duration: timedelta | None = None,
    ends_at: datetime | None = None,
    starts_at: datetime | None = None,
    now: datetime | None = None,
) -> Silence:
    """Mute alerts matching every one of ``matchers`` (``'region="华东"'``...) until it ends."""
    now = now or store.clock.now()
    parsed = [parse_matcher(text) for text in matchers]
    if not parsed:
        msg = 'a silence needs at least one matcher, e.g. region="华东"'
        raise ValueError(msg)
    if not created_by.strip() or not comment.strip():
        msg = "a silence needs an owner (created_by) and a comment saying why"
        raise ValueError(msg)
    start = starts_at or now
    if ends_at is None:
        if duration is None:
            msg = "give the silence a duration or an end time"
            raise ValueError(msg)
        ends_at = start + duration
    if ends_at <= start:
        msg = (
            f"the silence would end ({ends_at.isoformat()}) before it starts ({start.isoformat()})"
        )
        raise ValueError(msg)
    row = {
        "id": f"SIL-{uuid.uuid4().hex[:10]}",
        "matchers": [str(m) for m in parsed],
        "starts_at": start,
        "ends_at": ends_at,
        "created_by": created_by.strip(),
        "comment": comment.strip(),
        "created_at": now,
        "updated_at": now,
        "expired_by": None,
        "notice_sent_at": None,
    }
    with store.engine.begin() as conn:
        conn.execute(insert(silences), [row])
    return get_silence(store, str(row["id"]))


def get_silence(store: Store, silence_id: str) -> Silence:
    with store.engine.connect() as conn:
        row = conn.execute(select(silences).where(silences.c.id == silence_id)).first()
    if row is None:
        msg = f"no silence {silence_id!r}; `radar alerts silence list` shows the ids"
        raise SilenceNotFound(msg)
    return _silence(row)


def list_silences(
    store: Store, *, include_expired: bool = False, now: datetime | None = None
) -> list[Silence]:
    """Silences that are active or pending (and expired ones when asked), by end time."""
    now = now or store.clock.now()
    query = select(silences).order_by(silences.c.ends_at)
    if not include_expired:
        query = query.where(silences.c.ends_at > now)
    with store.engine.connect() as conn:
        return [_silence(r) for r in conn.execute(query)]


def expire_silence(
    store: Store, silence_id: str, user: str, *, now: datetime | None = None
) -> Silence:
    """End a silence now (alerts it muted are heard again at their next group interval)."""
    now = now or store.clock.now()
    current = get_silence(store, silence_id)
    if current.ends_at <= now:
        return current
    with store.engine.begin() as conn:
        conn.execute(
            update(silences)
            .where(silences.c.id == silence_id)
            .values(ends_at=max(now, current.starts_at), updated_at=now, expired_by=user)
        )
    return get_silence(store, silence_id)


def ending_soon(store: Store, now: datetime, notice_before: timedelta) -> list[Silence]:
    """Active silences that end within ``notice_before`` and have had no notice yet."""
    query = select(silences).where(
        silences.c.starts_at <= now,
        silences.c.ends_at > now,
        silences.c.ends_at <= now + notice_before,
        silences.c.notice_sent_at.is_(None),
        or_(silences.c.expired_by.is_(None), silences.c.expired_by == ""),
    )
    with store.engine.connect() as conn:
        return [_silence(r) for r in conn.execute(query)]


def mark_notice_sent(store: Store, silence_id: str, now: datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(silences).where(silences.c.id == silence_id).values(notice_sent_at=now))


def notice_text(silence: Silence, now: datetime, locale: Locale) -> str:
    """The notice that a silence ends soon, in ``locale``."""
    return locale.t(
        "alerts.silence.notice",
        id=silence.id,
        matchers=silence.describe(),
        user=silence.created_by,
        left=silence.ends_at - now,
        ends=silence.ends_at,
        comment=silence.comment,
    )


class Silencer:
    """The silence stage: which alerts the active silences mute."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def active(self, now: datetime) -> list[Silence]:
        return [s for s in list_silences(self.store, now=now) if s.active(now)]

    @staticmethod
    def muted(targets: Iterable[Alert], active: Sequence[Silence]) -> dict[str, list[str]]:
        """fingerprint → why, for each target an active silence matches."""
        out: dict[str, list[str]] = {}
        for alert in targets:
            for silence in active:
                if silence.matches(alert.labels):
                    out.setdefault(alert.fingerprint, []).append(
                        f"silenced by {silence.id} ({silence.created_by}: {silence.comment})"
                    )
        return out
