"""Dashboard analysis: incidents as table rows, with their age in buckets on-call can read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd

from alerts import Incident
from alerts.values import format_duration

#: (upper bound, label) of the age buckets, oldest last.
AGE_BUCKETS: tuple[tuple[timedelta, str], ...] = (
    (timedelta(hours=1), "< 1h"),
    (timedelta(hours=4), "1–4h"),
    (timedelta(hours=24), "4–24h"),
    (timedelta.max, "> 1d"),
)


def age_bucket(age: timedelta) -> str:
    for bound, name in AGE_BUCKETS:
        if age < bound:
            return name
    return AGE_BUCKETS[-1][1]


def incident_rows(incidents: Sequence[Incident], now: datetime) -> pd.DataFrame:
    """One row per incident: id, title, severity, status, owner, age (text and bucket)."""
    columns = [
        "id",
        "title",
        "severity",
        "status",
        "owner",
        "opened_at",
        "age",
        "age_bucket",
        "acknowledged_by",
        "resolved_at",
    ]
    rows = []
    for incident in incidents:
        end = incident.resolved_at or now
        age = max(timedelta(0), end - incident.opened_at)
        rows.append(
            {
                "id": incident.id,
                "title": incident.title,
                "severity": incident.severity,
                "status": incident.status,
                "owner": incident.owner or "",
                "opened_at": incident.opened_at,
                "age": format_duration(timedelta(minutes=int(age.total_seconds() // 60))),
                "age_bucket": age_bucket(age),
                "acknowledged_by": incident.acknowledged_by or "",
                "resolved_at": incident.resolved_at,
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["severity", "opened_at"], ascending=[False, True]).reset_index(
        drop=True
    )
