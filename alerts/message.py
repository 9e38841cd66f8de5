"""Alerts: what one notification says (evidence, links); stored as JSON, so a retry is the same."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from alerts.values import severity_name

NotificationKind = Literal["firing", "repeat", "escalation", "resolved", "silence_notice"]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SampleView(_View):
    """One example message (masked)."""

    text: str
    channel: str | None = None
    created_at: AwareDatetime | None = None


class AlertView(_View):
    """One alert with the evidence of the signal behind it."""

    fingerprint: str
    rule: str
    type: str
    status: Literal["firing", "resolved"]
    severity: int
    labels: dict[str, str]
    key: dict[str, str]
    observed: float
    expected: float
    window_start: AwareDatetime
    window_end: AwareDatetime
    score: float
    statistic: str
    top_topics: list[str] = Field(default_factory=list)
    crisis_terms: list[str] = Field(default_factory=list)
    samples: list[SampleView] = Field(default_factory=list)
    starts_at: AwareDatetime
    signal_id: str

    @property
    def key_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.key.items())) or "(all)"


class IncidentView(_View):
    """The incident a notification belongs to, with its dashboard and action links."""

    id: str
    title: str
    status: str
    type: str
    owner: str | None = None
    opened_at: AwareDatetime
    url: str
    ack_url: str | None = None
    resolve_url: str | None = None


class Message(_View):
    """One notification to one receiver; ``id`` is its idempotency key."""

    id: str
    kind: NotificationKind
    status: Literal["firing", "resolved"]
    receiver: str
    group_key: str
    group_labels: dict[str, str] = Field(default_factory=dict)
    rule: str
    rule_description: str = ""
    title: str
    severity: int
    incident: IncidentView | None = None
    alerts: list[AlertView] = Field(default_factory=list)
    note: str | None = None
    created_at: AwareDatetime

    @property
    def severity_name(self) -> str:
        return severity_name(self.severity)

    @property
    def firing(self) -> list[AlertView]:
        return [a for a in self.alerts if a.status == "firing"]

    def headline(self) -> str:
        """One line: ``[CRITICAL] FIRING: title``, as chat platforms show it."""
        label = {
            "firing": "FIRING",
            "repeat": "STILL FIRING",
            "escalation": "ESCALATED",
            "resolved": "RESOLVED",
            "silence_notice": "SILENCE ENDING",
        }[self.kind]
        return f"[{self.severity_name.upper()}] {label}: {self.title}"


def utc_iso(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")
