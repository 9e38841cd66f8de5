"""Alerts: the rules file as typed models (rules, receivers, inhibition, quiet hours, playbooks).

Validation names the field; :mod:`alerts.loader` adds the line number. Values
under ``defaults`` apply to every rule that does not set them itself.
"""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from alerts.matchers import Matcher, parse_matcher
from alerts.notifiers import CHANNELS, ChannelConfig
from alerts.notifiers.alertmanager import AlertmanagerConfig
from alerts.notifiers.dingtalk import DingTalkConfig
from alerts.notifiers.email import EmailConfig
from alerts.notifiers.feishu import FeishuConfig
from alerts.notifiers.log import LogConfig
from alerts.notifiers.slack import SlackConfig
from alerts.notifiers.webhook import WebhookConfig
from alerts.notifiers.wecom import WeComConfig
from alerts.values import Duration, Severity, TimeOfDay
from radar.errors import ConfigError
from radar.events import SignalType

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLAYBOOK_AREAS = ("responsibilities", "communication", "remedy", "coordination")
#: group_by value meaning "every label": one group per distinct label set.
ALL_LABELS = "..."
TIMING_FIELDS = (
    "group_by",
    "group_wait",
    "group_interval",
    "repeat_interval",
    "resolve_after",
    "send_resolved",
)


def _matchers(value: Any) -> tuple[Matcher, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple(Matcher.build(str(k), "=", str(v)) for k, v in value.items())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        msg = "expected a list of matchers such as ['region=\"华东\"'] or a mapping label: value"
        raise ValueError(msg)
    out = []
    for item in value:
        if isinstance(item, Matcher):
            out.append(item)
            continue
        try:
            out.append(parse_matcher(str(item)))
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc
    return tuple(out)


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Matchers = Annotated[tuple[Matcher, ...], BeforeValidator(_matchers)]


def _names(value: Any) -> Any:
    # YAML reads 315 or 2024 as numbers; as names and terms they are text
    value = _listed(value)
    if isinstance(value, list):
        return [
            str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value
        ]
    return value


Names = Annotated[list[str], BeforeValidator(_names)]


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Timing(_Config):
    """Grouping and timing shared by ``defaults`` and each rule."""

    group_by: Names = Field(default_factory=lambda: [ALL_LABELS])
    group_wait: Duration = timedelta(seconds=30)
    group_interval: Duration = timedelta(minutes=5)
    repeat_interval: Duration = timedelta(hours=4)
    resolve_after: Duration = timedelta(minutes=15)
    send_resolved: bool = True


class Match(_Config):
    """Which signals a rule takes; every condition given must hold."""

    type: Annotated[list[SignalType], BeforeValidator(_listed)] = Field(default_factory=list)
    labels: Matchers = ()
    min_score: float | None = Field(None, ge=0, le=1)
    min_observed: float | None = None
    max_observed: float | None = None
    min_ratio: float | None = Field(None, gt=0, description="observed / expected at least this")
    min_severity: Severity | None = None
    crisis_terms: Names = Field(default_factory=list, description="any of these terms present")
    any_crisis_term: bool = False
    sla_breach: bool = Field(False, description="only unanswered-past-SLA signals")
    drivers: Matchers = Field(
        default=(), description="matchers on the signal's drivers, e.g. ['region=\"广东\"']"
    )


class Escalation(_Config):
    """Notify more receivers when the incident is still unacknowledged after ``after``."""

    after: Duration
    receivers: Names = Field(min_length=1)


class Rule(Timing):
    """One alert rule: what to match, how bad it is, who hears, when, and what comes next."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    match: Match = Field(default_factory=Match)
    severity: Severity | None = Field(None, description="fixed severity; default the signal's")
    receivers: Names = Field(min_length=1)
    escalate: list[Escalation] = Field(default_factory=list)
    quiet_hours: Names = Field(default_factory=list)
    incident_type: str | None = Field(None, max_length=32, description="default: the signal type")
    owner: str | None = None
    title: str | None = Field(None, description="e.g. '{topic} complaints up in {region}'")
    continue_: bool = Field(False, alias="continue", description="keep matching later rules")

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, populate_by_name=True
    )

    @field_validator("title")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                list(string.Formatter().parse(value))
            except ValueError as exc:
                msg = f"title template {value!r} is not valid: {exc}"
                raise ValueError(msg) from exc
        return value

    @field_validator("escalate")
    @classmethod
    def _increasing(cls, steps: list[Escalation]) -> list[Escalation]:
        afters = [s.after for s in steps]
        if afters != sorted(afters):
            msg = "escalation steps must be listed in order of 'after'"
            raise ValueError(msg)
        return steps


class QuietHours(_Config):
    """A daily window in which non-critical notifications are held until it ends."""

    name: str = Field(pattern=NAME_PATTERN)
    start: TimeOfDay
    end: TimeOfDay
    timezone: str = "Asia/Shanghai"
    weekdays: Names = Field(default_factory=lambda: list(WEEKDAYS))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value!r}; use e.g. Asia/Shanghai or UTC"
            raise ValueError(msg) from exc
        return value

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        days = [d.strip().lower()[:3] for d in value]
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown:
            msg = f"unknown weekdays {unknown}; use {', '.join(WEEKDAYS)}"
            raise ValueError(msg)
        return days


class InhibitRule(_Config):
    """While a ``source`` alert fires, mute ``target`` alerts that share the ``equal`` labels.

    With ``nested``, only the ``equal`` labels the target has must agree (at least
    one): a signal keyed ``topic`` alone is muted by one keyed ``topic`` and
    ``region``, its more specific explanation.
    """

    name: str = ""
    source: Matchers = Field(min_length=1)
    target: Matchers = Field(min_length=1)
    equal: Names = Field(default_factory=list)
    nested: bool = False


class SilenceNotices(_Config):
    """Tell someone before a silence ends."""

    notice_before: Duration = timedelta(hours=1)
    receivers: Names = Field(default_factory=list)


class PlaybookStep(_Config):
    """One checklist item of a playbook."""

    area: Literal["responsibilities", "communication", "remedy", "coordination"]
    text: str = Field(min_length=1)


class Receiver(_Config):
    """A named destination with exactly one channel (``webhook``, ``email``, ...)."""

    name: str = Field(pattern=NAME_PATTERN)
    webhook: WebhookConfig | None = None
    dingtalk: DingTalkConfig | None = None
    wecom: WeComConfig | None = None
    feishu: FeishuConfig | None = None
    slack: SlackConfig | None = None
    email: EmailConfig | None = None
    alertmanager: AlertmanagerConfig | None = None
    log: LogConfig | None = None

    @model_validator(mode="after")
    def _one_channel(self) -> Receiver:
        given = [name for name in CHANNELS if getattr(self, name) is not None]
        if len(given) != 1:
            msg = (
                f"a receiver has exactly one channel ({', '.join(CHANNELS)}); "
                f"got {', '.join(given) or 'none'}"
            )
            raise ValueError(msg)
        return self

    @property
    def config(self) -> ChannelConfig:
        for name in CHANNELS:
            value = getattr(self, name)
            if value is not None:
                assert isinstance(value, ChannelConfig)
                return value
        raise AssertionError("validated to have one channel")


class RulesConfig(_Config):
    """The whole rules file."""

    defaults: Timing = Field(default_factory=Timing)
    receivers: list[Receiver] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)
    inhibit: list[InhibitRule] = Field(default_factory=list)
    quiet_hours: list[QuietHours] = Field(default_factory=list)
    silences: SilenceNotices = Field(default_factory=SilenceNotices)
    playbooks: dict[str, list[PlaybookStep]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            return data
        defaults = data.get("defaults") or {}
        try:
            Timing.model_validate(defaults)
        except ValueError:
            return data  # reported at 'defaults'; do not repeat it on every rule
        if not isinstance(defaults, dict):
            return data
        rules = [
            {**{k: v for k, v in defaults.items() if k in TIMING_FIELDS}, **rule}
            if isinstance(rule, dict)
            else rule
            for rule in data["rules"]
        ]
        return {**data, "rules": rules}

    def receiver(self, name: str) -> Receiver:
        for receiver in self.receivers:
            if receiver.name == name:
                return receiver
        msg = f"no receiver named {name!r}"
        raise KeyError(msg)

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        msg = f"no rule named {name!r}"
        raise KeyError(msg)

    def quiet(self, name: str) -> QuietHours:
        for window in self.quiet_hours:
            if window.name == name:
                return window
        msg = f"no quiet hours named {name!r}"
        raise KeyError(msg)
