"""Alerts: what one notification says (evidence, links); stored as JSON, so a retry is the same.

A message carries the language and time zone it is written in (``RADAR_LANGUAGE``,
``RADAR_TIMEZONE`` when it was queued), so every channel renders it alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from alerts.markup import one_line
from alerts.titles import signal_title
from alerts.values import severity_name
from radar.events import Driver
from radar.i18n import Lang, Locale
from radar.localtime import DEFAULT_ZONE

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
    drivers: list[Driver] = Field(default_factory=list)
    samples: list[SampleView] = Field(default_factory=list)
    starts_at: AwareDatetime
    signal_id: str

    def title(self, locale: Locale) -> str:
        """``投诉激增：物流配送 · 广东``: the signal's type and key in ``locale``."""
        return locale.render(signal_title(self.type, self.key))


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
    lang: Lang = "zh"
    timezone: str = DEFAULT_ZONE

    @property
    def locale(self) -> Locale:
        return Locale(self.lang, self.timezone)

    @property
    def severity_name(self) -> str:
        return severity_name(self.severity)

    @property
    def firing(self) -> list[AlertView]:
        return [a for a in self.alerts if a.status == "firing"]

    def headline(self, literal: Callable[[str], str] = one_line) -> str:
        """One line, as chat platforms show it: ``【严重】告警：title`` / ``[MAJOR] FIRING: title``.

        Every Chinese headline holds 告警, so a DingTalk robot can use it as its keyword.
        The title (it names customer labels) goes through ``literal``: by default only
        put on one line (an email subject cannot hold a line break), a chat format
        passes its own escaping.
        """
        locale = self.locale
        severity = self.severity_name
        tag = locale.label("severity_name", severity)
        if locale.lang == "en":
            tag = tag.upper()
        return locale.t(f"alerts.headline.{self.kind}", severity=tag, title=literal(self.title))
