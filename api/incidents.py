"""HTTP API: incidents (list, detail, evidence) and the on-call actions on them.

The actions are the dashboard's: the same ``alerts`` calls, so every change is
on the incident's timeline with the client's name as the actor (and published
to ``feedback.incidents`` by the alert service), and the same audit entry in
``user_actions`` (``incident.acknowledge`` …, marked ``via: api``). Acting
needs the role ``oncall`` or ``admin``; a caller limited to some shops sees and
acts on the incidents of those shops only, and any other is "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

import alerts
from alerts.evidence_export import evidence_sheets
from alerts.incident_list_export import incidents_sheet
from alerts.shops import visible_incidents, visible_to
from api.auth import Caller
from api.context import ApiState, answer, blocking, body, reader_locale, refuse, require, state
from api.messages import attachment, table_file
from api.params import (
    AcknowledgeBody,
    AssignBody,
    EvidenceQuery,
    IncidentQuery,
    IncidentsQuery,
    NoteBody,
    Params,
    ResolveBody,
    StepBody,
    from_query,
)
from radar.i18n import Locale
from radar.store.audit import record_action
from radar.store.exports import CSV_MIME, XLSX_MIME, csv_bytes, xlsx_bytes


def record(incident: alerts.Incident, locale: Locale, dashboard_url: str) -> dict[str, Any]:
    """An incident as JSON: codes and UTC times, its title in the reader's language."""
    url = f"{dashboard_url.rstrip('/')}/incidents?incident={incident.id}"
    return {
        **incident.to_record(url),
        "title": incident.title_in(locale),
        "signal_keys": incident.signal_keys(),
    }


def _alerts(incident: alerts.Incident) -> list[dict[str, Any]]:
    fields = (
        "type",
        "rule",
        "status",
        "severity",
        "key",
        "observed",
        "expected",
        "score",
        "statistic",
        "window_start",
        "window_end",
        "top_topics",
        "crisis_terms",
        "samples",
        "signal_id",
    )
    return [{f: a.get(f) for f in fields} for a in incident.data.get("alerts", [])]


def _visible(api: ApiState, who: Caller, incident_id: str) -> alerts.Incident:
    """The incident if the caller may see it; otherwise it does not exist for them."""
    found = alerts.find_incident(api.store, incident_id)
    if found is None or not visible_to(found, who.shops):
        refuse(404, "not_found", "no_incident", id=incident_id)
    return found


async def list_incidents(request: web.Request) -> web.Response:
    """``GET /api/v1/incidents``: newest first; ``status=open`` means open or acknowledged."""
    api = state(request)
    who = require(request, "read")
    query = from_query(IncidentsQuery, request.query, api.core.timezone)
    status = None if query.status == "all" else query.status
    # a scoped caller's incidents are found among more, then cut to the limit
    limit = query.limit if who.shops is None else None
    found = await blocking(alerts.list_incidents, api.store, status=status, limit=limit)
    shown = visible_incidents(found, who.shops)[: query.limit]
    locale = reader_locale(request)
    if query.format != "json":
        sheet = incidents_sheet(shown, locale)
        return table_file([sheet], query.format, locale, "radar-incidents", api.clock.now())
    return answer({"items": [record(i, locale, api.core.dashboard_url) for i in shown]})


async def get_incident(request: web.Request) -> web.Response:
    """``GET /api/v1/incidents/{id}``: the incident, its alerts, checklist and timeline."""
    api = state(request)
    who = require(request, "read")
    from_query(IncidentQuery, request.query, api.core.timezone)  # unknown parameters refused
    locale = reader_locale(request)
    incident_id = request.match_info["id"]

    def load() -> dict[str, Any]:
        incident = _visible(api, who, incident_id)
        steps = alerts.checklist(api.store, incident_id)
        entries = alerts.timeline(api.store, incident_id)
        return {
            **record(incident, locale, api.core.dashboard_url),
            "alerts": _alerts(incident),
            "checklist": [
                {
                    "step": s.step,
                    "area": s.area,
                    "text": s.text_in(locale),
                    "done": s.done,
                    "done_by": s.done_by,
                    "done_at": s.done_at,
                }
                for s in steps
            ],
            "timeline": [
                {"at": e.at, "kind": e.kind, "actor": e.actor, "text": e.text(locale)}
                for e in entries
            ],
        }

    return answer(await blocking(load))


async def evidence(request: web.Request) -> web.Response:
    """``GET /api/v1/incidents/{id}/evidence``: JSON, one part as CSV, or every part in Excel."""
    api = state(request)
    who = require(request, "read")
    query = from_query(EvidenceQuery, request.query, api.core.timezone)
    locale = reader_locale(request)
    incident_id = request.match_info["id"]

    def build() -> Any:
        _visible(api, who, incident_id)
        sheets = evidence_sheets(api.store, incident_id, locale)
        if query.format == "json":
            return {
                name: [dict(r) for r in sheet.rows]
                for name, sheet in sheets.items()
                if name != "summary"
            }
        record_action(
            api.store, who.name, "export.evidence", incident_id, query.format, {"via": "api"}
        )
        if query.format == "csv":
            return csv_bytes(sheets[query.part], locale.tz)
        return xlsx_bytes(list(sheets.values()), locale.tz)

    built = await blocking(build)
    if query.format == "json":
        return answer(built)
    if query.format == "csv":
        return attachment(built, CSV_MIME, f"{incident_id}-{query.part}.csv")
    return attachment(built, XLSX_MIME, f"{incident_id}-evidence.xlsx")


def _action(
    kind: str,
    model: type[Params],
    run: Callable[[ApiState, str, str, Any, Any], alerts.Incident],
    detail: Callable[[Any], str | None],
) -> Callable[[web.Request], Any]:
    """A POST handler that does one incident action as the caller, audited like the dashboard."""

    async def handler(request: web.Request) -> web.Response:
        api = state(request)
        who = require(request, "incident")
        given = model.model_validate(await body(request))
        incident_id = request.match_info["id"]
        step = request.match_info.get("step")

        def act() -> alerts.Incident:
            _visible(api, who, incident_id)
            changed = run(api, incident_id, who.name, given, step)
            record_action(
                api.store,
                who.name,
                f"incident.{kind}",
                incident_id,
                detail(given) if step is None else f"step {step} {detail(given)}",
                {"via": "api", "role": who.role},
            )
            return changed

        changed = await blocking(act)
        return answer(record(changed, reader_locale(request), api.core.dashboard_url))

    handler.__name__ = kind
    return handler


def _step(value: str | None) -> int:
    if value is None or not value.isdigit():
        refuse(404, "not_found", "no_step", step=value)
    return int(value)


acknowledge = _action(
    "acknowledge",
    AcknowledgeBody,
    lambda api, i, user, b, _: alerts.acknowledge(api.store, i, user, b.note or None),
    lambda b: b.note,
)
assign = _action(
    "assign",
    AssignBody,
    lambda api, i, user, b, _: alerts.assign(api.store, i, b.owner.strip(), user),
    lambda b: b.owner,
)
resolve = _action(
    "resolve",
    ResolveBody,
    lambda api, i, user, b, _: alerts.resolve(api.store, i, user, b.note or None),
    lambda b: b.note,
)
note = _action(
    "note",
    NoteBody,
    lambda api, i, user, b, _: alerts.add_note(api.store, i, user, b.text),
    lambda b: b.text,
)
check = _action(
    "checklist",
    StepBody,
    lambda api, i, user, b, step: alerts.set_step(api.store, i, _step(step), user, b.done),
    lambda b: "done" if b.done else "not done",
)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/api/v1/incidents", list_incidents),
        web.get("/api/v1/incidents/{id}", get_incident),
        web.get("/api/v1/incidents/{id}/evidence", evidence),
        web.post("/api/v1/incidents/{id}/acknowledge", acknowledge),
        web.post("/api/v1/incidents/{id}/assign", assign),
        web.post("/api/v1/incidents/{id}/resolve", resolve),
        web.post("/api/v1/incidents/{id}/notes", note),
        web.post("/api/v1/incidents/{id}/checklist/{step}", check),
    ]
