"""Alerts: incidents and their timelines; the API on-call tools (CLI, dashboard) call.

Nothing here needs Kafka: every change is written to the store and bumps the
incident's ``version``; the alert service publishes changed incidents to
``feedback.incidents``. Status moves open → acknowledged → resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from alerts.timeline import SYSTEM_ACTOR, TimelineEntry, append_event, record, timeline
from alerts.titles import stored_title
from radar.clock import to_millis
from radar.errors import RadarError
from radar.events import stable_id
from radar.i18n import DEFAULT_LANG, Locale, Text, catalogue
from radar.store import Store
from radar.store.incidents import OPEN_STATUSES, STATUSES, incidents

__all__ = [
    "SYSTEM_ACTOR",
    "ChecklistItem",
    "Incident",
    "IncidentNotFound",
    "InvalidTransition",
    "TimelineEntry",
    "acknowledge",
    "add_note",
    "assign",
    "checklist",
    "find_incident",
    "get_incident",
    "list_incidents",
    "open_incident",
    "record",
    "resolve",
    "set_step",
    "timeline",
    "update_data",
]


class IncidentNotFound(RadarError):
    """No incident has the given id."""


class InvalidTransition(RadarError):
    """The incident cannot make that change from its current status."""


@dataclass(frozen=True)
class Incident:
    """One incident as stored."""

    id: str
    type: str
    title: str
    status: str
    severity: int
    owner: str | None
    key: dict[str, str]
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_by: str | None
    group_key: str | None
    rule: str | None
    version: int
    published_version: int
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def title_in(self, locale: Locale) -> str:
        """The title for a reader in ``locale`` (a generated one in their language)."""
        return stored_title(self.title, self.data, locale)

    def signal_keys(self) -> list[dict[str, str]]:
        """The keys of the signals the incident holds (its alerts), each once, in order."""
        keys: list[dict[str, str]] = []
        for alert in self.data.get("alerts", []):
            key = {str(k): str(v) for k, v in dict(alert.get("key") or {}).items()}
            if key not in keys:
                keys.append(key)
        return keys

    def to_record(self, url: str | None = None) -> dict[str, Any]:
        """The JSON published to ``feedback.incidents`` (latest state, keyed by id)."""

        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "owner": self.owner,
            "key": self.key,
            "rule": self.rule,
            "group_key": self.group_key,
            "opened_at": iso(self.opened_at),
            "updated_at": iso(self.updated_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "resolved_at": iso(self.resolved_at),
            "resolved_by": self.resolved_by,
            "version": self.version,
            "alerts": len(self.data.get("alerts", [])),
            "url": url,
        }


@dataclass(frozen=True)
class ChecklistItem:
    """One playbook step of an incident, with whether (and by whom) it was done."""

    step: int
    area: str
    text: str
    done: bool = False
    done_by: str | None = None
    done_at: datetime | None = None
    key: str | None = None

    def text_in(self, locale: Locale) -> str:
        """The step in ``locale`` when it is one of Radar's playbooks; else as written."""
        return locale.render(step_text(self.text, self.key))


def step_text(text: str, key: str | None) -> Text | str:
    """A playbook step as a Text when it is Radar's own (``key``), else its text as written."""
    return Text(key) if key and catalogue().has(key) else text


def incident_from_row(row: Any) -> Incident:
    values = {k: row[k] for k in Incident.__dataclass_fields__ if k not in ("data", "key")}
    return Incident(**values, key=dict(row["key"] or {}), data=dict(row["data"] or {}))


def _now(store: Store, now: datetime | None) -> datetime:
    return now or store.clock.now()


def new_incident_id(group_key: str, opened_at: datetime) -> str:
    """``INC-20261120-3fa2c1``: readable, unique per group and opening time."""
    digest = stable_id("incident", group_key, str(to_millis(opened_at)))[:6]
    return f"INC-{opened_at:%Y%m%d}-{digest}"


def open_incident(
    store: Store,
    *,
    group_key: str,
    rule: str,
    type: str,
    title: str,
    severity: int,
    key: Mapping[str, str],
    owner: str | None = None,
    data: Mapping[str, Any] | None = None,
    title_text: Text | None = None,
    now: datetime | None = None,
) -> Incident:
    """Open an incident for an alert group (the alert service calls this).

    ``title_text`` is the Text a generated ``title`` was rendered from, kept so
    every reader sees the title in their own language.
    """
    at = _now(store, now)
    data = {**(data or {}), **({"title_text": title_text.to_json()} if title_text else {})}
    incident_id = new_incident_id(group_key, at)
    row = {
        "id": incident_id,
        "type": type[:32],
        "title": title,
        "status": "open",
        "severity": severity,
        "owner": owner,
        "key": dict(key),
        "opened_at": at,
        "updated_at": at,
        "resolved_at": None,
        "data": dict(data or {}),
        "group_key": group_key,
        "rule": rule,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "resolved_by": None,
        "version": 1,
        "published_version": 0,
    }
    with store.engine.begin() as conn:
        conn.execute(insert(incidents), [row])
        append_event(
            conn,
            incident_id,
            at,
            "opened",
            SYSTEM_ACTOR,
            Text("alerts.timeline.opened", {"rule": rule, "title": title_text or title}),
            {"severity": severity, "owner": owner},
        )
    return get_incident(store, incident_id)


def find_incident(store: Store, incident_id: str) -> Incident | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
    return None if row is None else incident_from_row(row._mapping)


def get_incident(store: Store, incident_id: str) -> Incident:
    """The incident with ``incident_id``; raises :class:`IncidentNotFound`."""
    found = find_incident(store, incident_id)
    if found is None:
        msg = f"no incident {incident_id!r}; `radar alerts incident list` shows the ids"
        raise IncidentNotFound(msg)
    return found


def list_incidents(
    store: Store, *, status: str | Sequence[str] | None = "open", limit: int | None = 100
) -> list[Incident]:
    """Incidents, newest first: ``"open"`` (open or acknowledged, the default), another
    status, several, or None for all; at most ``limit`` (None: every one)."""
    query = select(incidents).order_by(incidents.c.opened_at.desc(), incidents.c.id)
    if limit is not None:
        query = query.limit(limit)
    if isinstance(status, str):
        wanted: Sequence[str] = OPEN_STATUSES if status == "open" else (status,)
        query = query.where(incidents.c.status.in_(wanted))
    elif status is not None:
        query = query.where(incidents.c.status.in_(list(status)))
    with store.engine.connect() as conn:
        return [incident_from_row(r._mapping) for r in conn.execute(query)]


def _change(
    store: Store,
    incident_id: str,
    at: datetime,
    kind: str,
    actor: str,
    message: Text | str,
    values: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
    allowed: Sequence[str] = STATUSES,
) -> Incident:
    """Apply ``values``, bump the version and add a timeline entry, in one transaction."""
    with store.engine.begin() as conn:
        result = conn.execute(
            update(incidents)
            .where(incidents.c.id == incident_id, incidents.c.status.in_(list(allowed)))
            .values(**values, updated_at=at, version=incidents.c.version + 1)
        )
        if result.rowcount == 0:
            current = conn.execute(
                select(incidents.c.status).where(incidents.c.id == incident_id)
            ).scalar()
            if current is None:
                msg = f"no incident {incident_id!r}; `radar alerts incident list` shows the ids"
                raise IncidentNotFound(msg)
            msg = f"incident {incident_id} is {current}; cannot {kind} it"
            raise InvalidTransition(msg)
        append_event(conn, incident_id, at, kind, actor, message, data)
    return get_incident(store, incident_id)


def acknowledge(
    store: Store,
    incident_id: str,
    user: str,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> Incident:
    """Someone is on it: stops escalation and reminders. Acknowledging twice changes nothing."""
    current = get_incident(store, incident_id)
    if current.status == "acknowledged":
        if note:
            add_note(store, incident_id, user, note, now=now)
        return get_incident(store, incident_id)
    at = _now(store, now)
    values: dict[str, Any] = {
        "status": "acknowledged",
        "acknowledged_at": at,
        "acknowledged_by": user,
    }
    if current.owner is None:
        values["owner"] = user
    message = Text(
        "alerts.timeline.acknowledged_note" if note else "alerts.timeline.acknowledged",
        {"user": user, "note": note or ""},
    )
    return _change(
        store,
        incident_id,
        at,
        "acknowledged",
        user,
        message,
        values,
        {"note": note},
        allowed=("open",),
    )


def resolve(
    store: Store,
    incident_id: str,
    user: str,
    note: Text | str | None = None,
    *,
    now: datetime | None = None,
) -> Incident:
    """The incident is over. The alert service then tells the receivers it had notified."""
    current = get_incident(store, incident_id)
    if current.status == "resolved":
        return current
    at = _now(store, now)
    values = {"status": "resolved", "resolved_at": at, "resolved_by": user}
    message = Text(
        "alerts.timeline.resolved_note" if note else "alerts.timeline.resolved",
        {"user": user, "note": note or ""},
    )
    return _change(
        store,
        incident_id,
        at,
        "resolved",
        user,
        message,
        values,
        {"note": note.render(DEFAULT_LANG) if isinstance(note, Text) else note},
        allowed=OPEN_STATUSES,
    )


def assign(
    store: Store, incident_id: str, owner: str, user: str, *, now: datetime | None = None
) -> Incident:
    """Make ``owner`` responsible for the incident."""
    at = _now(store, now)
    return _change(
        store,
        incident_id,
        at,
        "assigned",
        user,
        Text("alerts.timeline.assigned", {"user": user, "owner": owner}),
        {"owner": owner},
        {"owner": owner},
    )


def add_note(
    store: Store, incident_id: str, user: str, text: str, *, now: datetime | None = None
) -> Incident:
    """A status update, finding or customer message, kept on the timeline."""
    if not text.strip():
        msg = "a note needs text"
        raise ValueError(msg)
    at = _now(store, now)
    return _change(store, incident_id, at, "note", user, text.strip(), {})


def set_step(
    store: Store,
    incident_id: str,
    step: int,
    user: str,
    done: bool = True,
    *,
    now: datetime | None = None,
) -> Incident:
    """Tick (or untick) playbook step ``step`` (numbered from 1) of the incident's checklist.

    Only while the incident is open: a resolved incident's checklist is its record.
    """
    steps = get_incident(store, incident_id).data.get("checklist", [])
    if not 1 <= step <= len(steps):
        msg = f"incident {incident_id} has checklist steps 1..{len(steps)}; no step {step}"
        raise ValueError(msg)
    at = _now(store, now)
    chosen = steps[step - 1]
    text = Text(
        "alerts.timeline.step_done" if done else "alerts.timeline.step_undone",
        {"step": step, "text": step_text(chosen["text"], chosen.get("key"))},
    )
    data = {"step": step, "done": done}
    return _change(store, incident_id, at, "checklist", user, text, {}, data, allowed=OPEN_STATUSES)


def checklist(store: Store, incident_id: str) -> list[ChecklistItem]:
    """The playbook steps of the incident with their state (from the timeline)."""
    incident = get_incident(store, incident_id)
    state: dict[int, TimelineEntry] = {}
    for event in timeline(store, incident_id):
        if event.kind == "checklist":
            state[int(event.data["step"])] = event
    items = []
    for n, step in enumerate(incident.data.get("checklist", []), 1):
        entry = state.get(n)
        done = bool(entry and entry.data.get("done"))
        items.append(
            ChecklistItem(
                step=n,
                area=step["area"],
                text=step["text"],
                done=done,
                done_by=entry.actor if entry and done else None,
                done_at=entry.at if entry and done else None,
                key=step.get("key"),
            )
        )
    return items


def update_data(
    store: Store,
    incident_id: str,
    changes: Mapping[str, Any],
    *,
    severity: int | None = None,
    now: datetime | None = None,
) -> None:
    """Merge ``changes`` into the incident's data (alert evidence, escalation steps done)."""
    with store.engine.begin() as conn:
        row = conn.execute(
            select(incidents.c.data, incidents.c.severity).where(incidents.c.id == incident_id)
        ).first()
        if row is None:
            return
        values: dict[str, Any] = {"data": {**(row.data or {}), **changes}}
        if severity is not None and severity > row.severity:
            values.update(
                severity=severity, version=incidents.c.version + 1, updated_at=_now(store, now)
            )
        conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))
