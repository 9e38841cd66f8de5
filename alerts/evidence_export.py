"""Alerts: an incident's evidence as sheets for a spreadsheet (summary, windows, samples,
checklist, timeline), in the reader's language and zone; written by :mod:`radar.store.exports`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alerts.incidents import checklist, get_incident
from alerts.timeline import timeline
from alerts.titles import CODED, signal_title
from radar.i18n import Locale
from radar.store import Store
from radar.store.exports import Sheet
from radar.store.signals import signal_history

PARTS = ("summary", "windows", "samples", "checklist", "timeline")


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def evidence_sheets(store: Store, incident_id: str, locale: Locale) -> dict[str, Sheet]:
    """Every part of an incident's evidence by name (see :data:`PARTS`)."""
    incident = get_incident(store, incident_id)

    def heading(name: str, *, time: bool = False) -> tuple[str, str]:
        key = f"export.evidence.{name}"
        return name, locale.heading(key) if time else locale.t(key)

    scope = locale.t("text.join").join(
        f"{locale.label('key', k)} {locale.label(CODED.get(k, k), v)}"
        for k, v in sorted(incident.key.items())
        if v
    )
    summary = [
        ("incident", incident.id),
        ("title", incident.title_in(locale)),
        ("status", locale.label("status", incident.status)),
        ("severity", locale.label("severity", incident.severity)),
        ("owner", incident.owner or ""),
        ("rule", incident.rule or ""),
        ("scope", scope),
        ("opened_at", locale.time(incident.opened_at)),
        ("resolved_at", locale.time(incident.resolved_at) if incident.resolved_at else ""),
    ]
    windows: list[dict[str, Any]] = []
    samples: list[dict[str, Any]] = []
    for alert in incident.data.get("alerts", []):
        key = {str(k): str(v) for k, v in dict(alert.get("key") or {}).items()}
        name = locale.render(signal_title(str(alert.get("type", "")), key))
        points = signal_history(store, str(alert.get("signal_id", ""))) or [alert]
        for point in points:
            windows.append(
                {
                    "signal": name,
                    "window_start": _when(point.get("window_start")),
                    "window_end": _when(point.get("window_end")),
                    "observed": float(point.get("observed", 0.0)),
                    "expected": float(point.get("expected", 0.0)),
                    "score": float(point.get("score", 0.0)),
                    "status": locale.label("alert_status", point.get("status", "")),
                }
            )
        for sample in alert.get("samples", []):
            samples.append(
                {
                    "signal": name,
                    "created_at": _when(sample.get("created_at")),
                    "channel": locale.label("channel", sample["channel"])
                    if sample.get("channel")
                    else "",
                    "text": str(sample.get("text", "")),
                    "id": str(sample.get("id") or ""),
                }
            )
    steps = [
        {
            "step": item.step,
            "area": locale.label("area", item.area),
            "message": item.text_in(locale),
            "done": locale.t("export.flag_yes" if item.done else "export.flag_no"),
            "actor": item.done_by or "",
            "at": item.done_at,
        }
        for item in checklist(store, incident_id)
    ]
    entries = [
        {
            "at": entry.at,
            "actor": entry.actor,
            "kind": locale.label("timeline", entry.kind),
            "message": entry.text(locale),
        }
        for entry in timeline(store, incident_id)
    ]
    return {
        "summary": Sheet(
            locale.t("export.sheet.incident"),
            [heading("field"), heading("value")],
            [{"field": locale.t(f"export.evidence.{k}"), "value": v} for k, v in summary],
        ),
        "windows": Sheet(
            locale.t("export.sheet.windows"),
            [
                heading("signal"),
                heading("window_start", time=True),
                heading("window_end", time=True),
                heading("observed"),
                heading("expected"),
                heading("score"),
                heading("status"),
            ],
            windows,
        ),
        "samples": Sheet(
            locale.t("export.sheet.samples"),
            [
                heading("signal"),
                ("created_at", locale.heading("export.field.created_at")),
                ("channel", locale.t("export.field.channel")),
                ("text", locale.t("export.field.text")),
                ("id", locale.t("export.field.id")),
            ],
            samples,
        ),
        "checklist": Sheet(
            locale.t("export.sheet.checklist"),
            [
                heading("step"),
                heading("area"),
                heading("message"),
                heading("done"),
                heading("actor"),
                heading("at", time=True),
            ],
            steps,
        ),
        "timeline": Sheet(
            locale.t("export.sheet.timeline"),
            [heading("at", time=True), heading("actor"), heading("kind"), heading("message")],
            entries,
        ),
    }


__all__ = ["PARTS", "evidence_sheets"]
