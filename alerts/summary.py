"""Alerts: the post-incident summary in Markdown (what happened, evidence, response, follow-up).

Written in the reader's language, with times in their time zone.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from alerts.incidents import checklist, get_incident, timeline
from alerts.message import AlertView
from alerts.nflog import NotificationLog
from alerts.render import evidence_lines
from alerts.values import severity_name
from radar.i18n import Locale
from radar.store import Store

NONE = "—"


def _took(locale: Locale, start: datetime, end: datetime | None) -> str:
    return NONE if end is None else locale.duration(end - start)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def incident_summary(store: Store, incident_id: str, locale: Locale | None = None) -> str:
    """A Markdown report of the incident, for the post-incident review."""
    locale = locale or Locale()
    t = locale.t
    incident = get_incident(store, incident_id)
    events = timeline(store, incident_id)
    steps = checklist(store, incident_id)
    sent = NotificationLog(store).for_incident(incident_id)
    key = locale.t("text.join").join(
        f"{locale.label('key', k)} {v}" for k, v in sorted(incident.key.items()) if v
    )

    def after(when: datetime | None, who: str | None) -> str:
        took = _took(locale, incident.opened_at, when)
        return t("alerts.summary.by_after", when=locale.time(when), who=who or NONE, took=took)

    lines = [
        t("alerts.summary.title", id=incident.id, title=incident.title_in(locale)),
        "",
        "| | |",
        "|---|---|",
        f"| {t('alerts.summary.status')} | {locale.label('status', incident.status)} |",
        f"| {t('alerts.summary.type')} | {locale.label('signal', incident.type)} |",
        f"| {t('alerts.summary.severity')} | "
        f"{locale.label('severity_name', severity_name(incident.severity))} |",
        f"| {t('alerts.summary.rule')} | {incident.rule or NONE} |",
        f"| {t('alerts.summary.scope')} | {_cell(key or NONE)} |",
        f"| {t('alerts.summary.owner')} | {incident.owner or NONE} |",
        f"| {t('alerts.summary.opened')} | {locale.time(incident.opened_at)} |",
        f"| {t('alerts.summary.acknowledged')} | "
        f"{after(incident.acknowledged_at, incident.acknowledged_by)} |",
        f"| {t('alerts.summary.resolved')} | {after(incident.resolved_at, incident.resolved_by)} |",
        "",
        t("alerts.summary.evidence"),
    ]
    views = [AlertView.model_validate(a) for a in incident.data.get("alerts", [])]
    if not views:
        lines.append(t("alerts.summary.no_evidence"))
    for view in views:
        lines += ["", f"### {view.title(locale)}"]
        lines += [f"- {line}" for line in evidence_lines(view, locale)]
        if view.samples:
            lines += ["", t("alerts.summary.examples")]
            lines += [f"> {s.text}" for s in view.samples]
    lines += ["", t("alerts.summary.playbook"), ""]
    for step in steps:
        mark = "x" if step.done else " "
        by = f" — {step.done_by}, {locale.time(step.done_at)}" if step.done else ""
        area = locale.label("area", step.area)
        lines.append(f"- [{mark}] **{area}**: {step.text_in(locale)}{by}")
    open_steps = [s for s in steps if not s.done]
    lines += ["", t("alerts.summary.notifications"), ""]
    outcomes = Counter((n.receiver, n.kind, n.status) for n in sent)
    if not outcomes:
        lines.append(t("alerts.summary.none_sent"))
    for (receiver, kind, status), count in sorted(outcomes.items()):
        sent_line = t(
            "alerts.summary.sent_line",
            receiver=receiver,
            count=count,
            kind=locale.label("notification_kind", kind),
            status=locale.label("notification_status", status),
        )
        lines.append(f"- {sent_line}")
    time_column = locale.heading("alerts.summary.time_column")
    lines += [
        "",
        t("alerts.summary.timeline"),
        "",
        f"| {time_column} | {t('alerts.summary.who')} | {t('alerts.summary.what')} |",
        "|---|---|---|",
    ]
    for event in events:
        when = locale.clock(event.at)
        lines.append(f"| {when} | {_cell(event.actor)} | {_cell(event.text(locale))} |")
    notes = [e for e in events if e.kind == "note"]
    lines += ["", t("alerts.summary.follow_up"), ""]
    if open_steps:
        lines.append(f"- {t('alerts.summary.open_steps', count=len(open_steps))}")
    if incident.acknowledged_at is None:
        lines.append(f"- {t('alerts.summary.never_acknowledged')}")
    if not notes:
        lines.append(f"- {t('alerts.summary.no_notes')}")
    lines.append(f"- {t('alerts.summary.track')}")
    return "\n".join(lines) + "\n"
