"""Dashboard analysis: incidents as table rows, with their age in buckets on-call can read;
their sample messages, each customer's message once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from alerts import Incident
from radar.i18n import Locale

#: (upper bound, catalogue key) of the age buckets, oldest last.
AGE_BUCKETS: tuple[tuple[timedelta, str], ...] = (
    (timedelta(hours=1), "dashboard.incidents.age_under_1h"),
    (timedelta(hours=4), "dashboard.incidents.age_1_4h"),
    (timedelta(hours=24), "dashboard.incidents.age_4_24h"),
    (timedelta.max, "dashboard.incidents.age_over_1d"),
)


def age_bucket(age: timedelta, locale: Locale | None = None) -> str:
    """The age bucket's label (``< 1 小时``, ``1–4 小时``, ...)."""
    key = next((name for bound, name in AGE_BUCKETS if age < bound), AGE_BUCKETS[-1][1])
    return (locale or Locale()).t(key)


def incident_rows(
    incidents: Sequence[Incident], now: datetime, locale: Locale | None = None
) -> pd.DataFrame:
    """One row per incident: id, title, severity, status, owner, age (text and bucket), in the
    reader's language, with times in their zone."""
    locale = locale or Locale()
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
                "title": incident.title_in(locale),
                "severity": incident.severity,
                "status": incident.status,
                "owner": incident.owner or "",
                "opened_at": locale.local(incident.opened_at),
                "age": locale.duration(timedelta(minutes=int(age.total_seconds() // 60))),
                "age_bucket": age_bucket(age, locale),
                "acknowledged_by": incident.acknowledged_by or "",
                "resolved_at": None
                if incident.resolved_at is None
                else locale.local(incident.resolved_at),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["severity", "opened_at"], ascending=[False, True]).reset_index(
        drop=True
    )


def collapse_samples(
    samples: Sequence[Mapping[str, Any]], first_of: Mapping[str, str]
) -> list[tuple[Mapping[str, Any], str | None]]:
    """Sample messages with each first copy once, as (sample shown, its first copy's id).

    Samples that are the same message, or likely duplicates of one message
    (``first_of`` maps an id to its first copy), are one entry: the first copy's
    own sample where there is one, else the earliest; the rest are listed under it.
    """

    def first(sample: Mapping[str, Any]) -> str | None:
        sample_id = sample.get("id")  # a sample without an id cannot be matched
        return first_of.get(str(sample_id), str(sample_id)) if sample_id else None

    groups: dict[str, list[Mapping[str, Any]]] = {}
    for sample in samples:
        if (key := first(sample)) is not None:
            groups.setdefault(key, []).append(sample)
    out: list[tuple[Mapping[str, Any], str | None]] = []
    for sample in samples:
        key = first(sample)
        if key is None:
            out.append((sample, None))
        elif key in groups:  # the group's place is where its first sample was
            members = groups.pop(key)
            own = [s for s in members if s.get("id") == key]
            earliest = min(members, key=lambda s: str(s.get("created_at") or ""))
            out.append((own[0] if own else earliest, key))
    return out


def driver_lines(alert_list: Sequence[Mapping[str, Any]], locale: Locale) -> list[str]:
    """``主要来源：广东 72%、社交媒体 60%`` for each alert that names its drivers, once each."""
    lines: list[str] = []
    for alert in alert_list:
        parts = []
        for driver in alert.get("drivers") or []:
            value = str(driver.get("value", ""))
            if driver.get("field") == "channel":
                value = locale.label("channel", value)
            share = round(100 * float(driver.get("share", 0.0)))
            parts.append(locale.t("alerts.evidence.driver", value=value, share=share))
        if parts:
            line = locale.t("alerts.evidence.drivers", drivers=locale.t("text.list").join(parts))
            if line not in lines:
                lines.append(line)
    return lines
