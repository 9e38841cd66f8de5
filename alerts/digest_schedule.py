"""Alerts: when digests go out (``RADAR_DIGEST_*``) and the service that sends them on time.

The daily digest goes out every day at ``daily_at`` and covers the local day
before; the weekly one at ``weekly_at`` (a weekday and a time) and covers the
seven local days before that day; both in ``RADAR_TIMEZONE``. The receivers are
names from the rules file (``RADAR_ALERTS_RULES_FILE``). Each send is logged in
the store (``digest_log``): a restart sends nothing twice, a failure is tried
again every ``retry_minutes`` up to ``max_attempts`` times, and a digest missed
by more than ``catch_up_hours`` (the service was down) is skipped, not sent late.
A receiver named in ``shops`` gets digests of those shops only (each set of shops'
digest is built once per period).
While it runs, the service also applies ``RADAR_RETENTION_DAYS`` once a day.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator

from alerts import digest_metrics as metrics
from alerts.config import RulesConfig
from alerts.digest import Digest, DigestKind
from alerts.digest_charts import cjk_font
from alerts.digest_daily import build_daily
from alerts.digest_send import send_digest
from alerts.digest_weekly import build_weekly
from alerts.notifiers.base import NotifyFailed
from radar.clock import Clock, SystemClock
from radar.i18n import Locale
from radar.localtime import local_date, zone
from radar.settings import CoreSettings, RadarSettings, settings_config
from radar.store import Store
from radar.store.digests import find_attempt, record_attempt
from radar.store.retention import prune
from radar.store.rollups import ResponseSla

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAILY = re.compile(r"^(\d{1,2}):(\d{2})$")
_WEEKLY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class When:
    """A scheduled time of day, on every day or on one weekday (0 = Monday)."""

    at: time
    weekday: int | None = None

    @classmethod
    def parse(cls, text: str, weekly: bool) -> When:
        spec = text.strip().lower()
        found = (_WEEKLY if weekly else _DAILY).match(spec)
        if found is None:
            example = "mon 09:00" if weekly else "08:30"
            msg = f"{text!r} is not a {'weekday and ' if weekly else ''}time such as {example!r}"
            raise ValueError(msg)
        parts = found.groups()
        weekday = WEEKDAYS.index(parts[0]) if weekly else None
        hour, minute = int(parts[-2]), int(parts[-1])
        if hour > 23 or minute > 59:
            msg = f"{text!r}: no such time of day"
            raise ValueError(msg)
        return cls(time(hour, minute), weekday)

    def latest(self, now: datetime, timezone: str) -> datetime:
        """The most recent scheduled instant at or before ``now``."""
        tz = zone(timezone)
        day = local_date(int(now.timestamp() * 1000), tz)
        for back in range(8):
            candidate = day - timedelta(days=back)
            if self.weekday is not None and candidate.weekday() != self.weekday:
                continue
            instant = datetime.combine(candidate, self.at, tzinfo=tz)
            if instant <= now:
                return instant
        msg = "no scheduled instant in the last week"  # unreachable for a valid schedule
        raise AssertionError(msg)


class DigestSettings(RadarSettings):
    """When the digests go out and to whom (``RADAR_DIGEST_*``)."""

    model_config = settings_config("DIGEST_")
    yaml_section: ClassVar[str | None] = "digest"

    daily_at: str = Field("08:30", description="Local time of the daily digest (HH:MM)")
    weekly_at: str = Field("mon 09:00", description="Weekday and local time of the weekly digest")
    daily_to: list[str] = Field(
        default_factory=list, description="Receivers (rules file names) of the daily digest"
    )
    weekly_to: list[str] = Field(
        default_factory=list, description="Receivers (rules file names) of the weekly digest"
    )
    shops: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Receivers whose digests cover some shops only: receiver -> shops",
    )
    font: Path | None = Field(
        None, description="A font file with Chinese glyphs for the charts (default: installed)"
    )
    tick_s: float = Field(30.0, gt=0, le=3600, description="How often the schedule is checked")
    retry_minutes: float = Field(
        15.0, gt=0, description="Wait before sending a failed digest again"
    )
    max_attempts: int = Field(5, ge=1, le=50, description="Attempts per digest and receiver")
    catch_up_hours: float = Field(
        12.0, gt=0, description="A digest missed by longer than this is skipped, not sent late"
    )
    effect_window_days: int = Field(
        28, ge=7, le=180, description="Days before and after an improvement that are compared"
    )
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")

    @field_validator("daily_at")
    @classmethod
    def _daily(cls, value: str) -> str:
        When.parse(value, weekly=False)
        return value

    @field_validator("weekly_at")
    @classmethod
    def _weekly(cls, value: str) -> str:
        When.parse(value, weekly=True)
        return value

    def shops_of(self, receiver: str) -> tuple[str, ...] | None:
        """The shops ``receiver``'s digests cover (None: every shop)."""
        named = [s.strip() for s in self.shops.get(receiver, []) if s.strip()]
        return tuple(dict.fromkeys(named)) or None

    def schedule(self) -> list[tuple[DigestKind, When, list[str]]]:
        return [
            ("daily", When.parse(self.daily_at, weekly=False), list(self.daily_to)),
            ("weekly", When.parse(self.weekly_at, weekly=True), list(self.weekly_to)),
        ]


def build_digest(
    kind: DigestKind,
    store: Store,
    now: datetime,
    locale: Locale,
    *,
    core: CoreSettings,
    settings: DigestSettings,
    sla: ResponseSla,
    shops: tuple[str, ...] | None = None,
) -> Digest:
    """The digest ``kind`` as of ``now`` (its period ends at ``now``'s local midnight), of
    ``shops`` only when given."""
    font = cjk_font(str(settings.font) if settings.font else None)
    if kind == "daily":
        return build_daily(
            store,
            now,
            locale,
            sla=sla,
            dashboard_url=core.dashboard_url,
            font=font,
            shops=shops,
        )
    return build_weekly(
        store,
        now,
        locale,
        dashboard_url=core.dashboard_url,
        effect_window_days=settings.effect_window_days,
        font=font,
        shops=shops,
    )


class DigestService:
    """Sends the scheduled digests (and applies the retention) until stopped."""

    def __init__(
        self,
        store: Store,
        rules: RulesConfig,
        *,
        core: CoreSettings,
        settings: DigestSettings,
        sla: ResponseSla,
        clock: Clock | None = None,
        timeout: float = 10.0,
        send: Callable[..., str] = send_digest,
    ) -> None:
        self.store = store
        self.rules = rules
        self.core = core
        self.settings = settings
        self.sla = sla
        self.clock = clock or SystemClock()
        self.timeout = timeout
        self.send = send
        self.locale = Locale.from_settings(core)
        self._pruned_at: datetime | None = None
        self._stop = threading.Event()
        for _kind, _when, receivers in settings.schedule():
            for name in receivers:
                rules.receiver(name)  # a misspelt receiver fails at start, not at 08:30
        for name in settings.shops:
            rules.receiver(name)

    def tick(self) -> list[tuple[str, str, bool]]:
        """Send what is due and not sent yet; returns (kind, receiver, ok) of each attempt."""
        now = self.clock.now()
        done: list[tuple[str, str, bool]] = []
        for kind, when, receivers in self.settings.schedule():
            due = when.latest(now, self.core.timezone)
            if now - due > timedelta(hours=self.settings.catch_up_hours):
                continue
            built: dict[tuple[str, ...] | None, Digest] = {}  # one digest per set of shops
            for name in receivers:
                attempt = find_attempt(self.store, kind, due, name)
                if attempt is not None and (
                    attempt.status == "sent"
                    or attempt.attempts >= self.settings.max_attempts
                    or now - attempt.updated_at < timedelta(minutes=self.settings.retry_minutes)
                ):
                    continue
                shops = self.settings.shops_of(name)
                if shops not in built:
                    built[shops] = build_digest(
                        kind,
                        self.store,
                        due,
                        self.locale,
                        core=self.core,
                        settings=self.settings,
                        sla=self.sla,
                        shops=shops,
                    )
                done.append(self._deliver(kind, due, name, built[shops], now))
        self._retention(now)
        metrics.LAST_TICK.set(now.timestamp())
        return done

    def _deliver(
        self, kind: str, due: datetime, name: str, digest: Digest, now: datetime
    ) -> tuple[str, str, bool]:
        config = self.rules.receiver(name).config
        label = self.locale.t(f"digest.kind.{kind}")
        try:
            answer = self.send(digest, name, config, timeout=self.timeout, clock=self.clock)
        except NotifyFailed as exc:
            record_attempt(
                self.store,
                kind,
                due,
                name,
                ok=False,
                detail=str(exc),
                now=now,
                give_up=not exc.retryable,
                max_attempts=self.settings.max_attempts,
            )
            log.warning(self.locale.t("digest.send.failed", kind=label, receiver=name, error=exc))
            metrics.SENDS.labels(kind, "failed").inc()
            return kind, name, False
        record_attempt(self.store, kind, due, name, ok=True, detail=answer, now=now)
        log.info(self.locale.t("digest.send.sent", kind=label, receiver=name, answer=answer))
        metrics.SENDS.labels(kind, "sent").inc()
        return kind, name, True

    def _retention(self, now: datetime) -> None:
        days = self.core.retention_days
        if days is None or (self._pruned_at and now - self._pruned_at < timedelta(days=1)):
            return
        done = prune(self.store, days, now=now)
        self._pruned_at = now
        metrics.LAST_PRUNE.set(now.timestamp())
        metrics.REDACTED.inc(done.events_redacted)
        log.info("retention of %d days applied: %s", days, done.as_dict())

    def run(self) -> None:
        """Tick every ``tick_s`` until :meth:`stop`; an error in one tick is logged, not fatal."""
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("digest tick failed; trying again at the next tick")
            self._stop.wait(self.settings.tick_s)

    def stop(self) -> None:
        self._stop.set()


__all__ = ["DigestService", "DigestSettings", "When", "build_digest"]
