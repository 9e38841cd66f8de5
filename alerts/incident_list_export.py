"""Alerts: a list of incidents as a sheet for a spreadsheet (the API's and the dashboard's
downloads), titles, statuses and severities in the reader's language, times in its zone."""

from __future__ import annotations

from collections.abc import Sequence

from alerts.incidents import Incident
from alerts.titles import CODED
from radar.i18n import Locale
from radar.store.exports import Sheet

#: Columns of the list: (field, catalogue key of the heading, a time).
COLUMNS = (
    ("id", "export.evidence.incident", False),
    ("title", "export.evidence.title", False),
    ("status", "export.evidence.status", False),
    ("severity", "export.evidence.severity", False),
    ("type", "export.report.type", False),
    ("scope", "export.evidence.scope", False),
    ("owner", "export.evidence.owner", False),
    ("rule", "export.evidence.rule", False),
    ("opened_at", "export.evidence.opened_at", True),
    ("acknowledged_at", "export.report.acknowledged_at", True),
    ("resolved_at", "export.evidence.resolved_at", True),
)


def incidents_sheet(incidents: Sequence[Incident], locale: Locale) -> Sheet:
    """One row per incident, in the order given."""
    columns = [
        (name, locale.heading(key) if time else locale.t(key)) for name, key, time in COLUMNS
    ]
    rows = [
        {
            "id": i.id,
            "title": i.title_in(locale),
            "status": locale.label("status", i.status),
            "severity": locale.label("severity", i.severity),
            "type": locale.label("signal", i.type),
            "scope": locale.t("text.join").join(
                f"{locale.label('key', k)} {locale.label(CODED.get(k, k), v)}"
                for k, v in sorted(i.key.items())
                if v
            ),
            "owner": i.owner or "",
            "rule": i.rule or "",
            "opened_at": i.opened_at,
            "acknowledged_at": i.acknowledged_at,
            "resolved_at": i.resolved_at,
        }
        for i in incidents
    ]
    return Sheet(locale.t("export.report.incidents"), columns, rows)


__all__ = ["incidents_sheet"]
