"""Alerts: the post-incident summary in Markdown (what happened, evidence, response, follow-up)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from alerts.incidents import checklist, get_incident, timeline
from alerts.message import AlertView
from alerts.nflog import NotificationLog
from alerts.render import evidence_lines
from alerts.values import format_duration, severity_name
from radar.store import Store


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _took(start: datetime, end: datetime | None) -> str:
    return "—" if end is None else format_duration(end - start)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def incident_summary(store: Store, incident_id: str) -> str:
    """A Markdown report of the incident, for the post-incident review."""
    incident = get_incident(store, incident_id)
    events = timeline(store, incident_id)
    steps = checklist(store, incident_id)
    sent = NotificationLog(store).for_incident(incident_id)
    key = ", ".join(f"{k}={v}" for k, v in sorted(incident.key.items())) or "(all)"
    lines = [
        f"# Incident {incident.id}: {incident.title}",
        "",
        "| | |",
        "|---|---|",
        f"| Status | {incident.status} |",
        f"| Type | {incident.type} |",
        f"| Severity | {severity_name(incident.severity)} |",
        f"| Rule | {incident.rule or '—'} |",
        f"| Scope | {_cell(key)} |",
        f"| Owner | {incident.owner or '—'} |",
        f"| Opened | {_when(incident.opened_at)} |",
        f"| Acknowledged | {_when(incident.acknowledged_at)} by {incident.acknowledged_by or '—'} "
        f"(after {_took(incident.opened_at, incident.acknowledged_at)}) |",
        f"| Resolved | {_when(incident.resolved_at)} by {incident.resolved_by or '—'} "
        f"(after {_took(incident.opened_at, incident.resolved_at)}) |",
        "",
        "## Evidence",
    ]
    views = [AlertView.model_validate(a) for a in incident.data.get("alerts", [])]
    if not views:
        lines.append("No alert evidence was recorded.")
    for view in views:
        lines += ["", f"### {view.type} {view.key_text}"]
        lines += [f"- {line}" for line in evidence_lines(view)]
        if view.samples:
            lines += ["", "Examples (masked):"]
            lines += [f"> {s.text}" for s in view.samples]
    lines += ["", "## Playbook", ""]
    for step in steps:
        mark = "x" if step.done else " "
        by = f" — {step.done_by}, {_when(step.done_at)}" if step.done else ""
        lines.append(f"- [{mark}] **{step.area}**: {step.text}{by}")
    open_steps = [s for s in steps if not s.done]
    lines += ["", "## Notifications", ""]
    outcomes = Counter((n.receiver, n.kind, n.status) for n in sent)
    if not outcomes:
        lines.append("None were sent.")
    for (receiver, kind, status), count in sorted(outcomes.items()):
        lines.append(f"- {receiver}: {count} × {kind} ({status})")
    lines += ["", "## Timeline", "", "| Time | Who | What |", "|---|---|---|"]
    for event in events:
        lines.append(f"| {_when(event.at)} | {_cell(event.actor)} | {_cell(event.message)} |")
    notes = [e for e in events if e.kind == "note"]
    lines += ["", "## Follow-up", ""]
    if open_steps:
        lines.append(f"- {len(open_steps)} playbook steps were not ticked off; review them.")
    if incident.acknowledged_at is None:
        lines.append("- Nobody acknowledged the incident; check the on-call routing.")
    if not notes:
        lines.append("- No notes were written; record the cause and the remedy offered.")
    lines.append("- Track whether complaints on this scope stay at baseline (跟踪改进效果).")
    return "\n".join(lines) + "\n"
