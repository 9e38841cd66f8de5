"""Alerts: the retry and notify stages; deliver due notifications, retrying only what may work.

A notifier raises :class:`~alerts.notifiers.NotifyFailed` with ``retryable``;
retryable failures wait an exponentially growing delay (kept in the log, so a
restart keeps the schedule) until ``max_attempts``; the others fail at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta

from alerts import incidents
from alerts.metrics import NOTIFICATIONS
from alerts.nflog import Entry, NotificationLog
from alerts.notifiers import Notifier, NotifyFailed
from radar.clock import Clock
from radar.i18n import Text, label_text
from radar.store import Store
from radar.store.writes import retry_while_away

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``initial``, times ``factor`` per attempt, at most ``maximum``."""

    initial: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    maximum: timedelta = timedelta(minutes=5)
    max_attempts: int = 10

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        seconds = self.initial.total_seconds() * self.factor ** max(0, attempts - 1)
        return min(timedelta(seconds=seconds), self.maximum)


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class Deliverer:
    """Sends the notifications that are due, and records each outcome."""

    def __init__(
        self,
        store: Store,
        nflog: NotificationLog,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        policy: RetryPolicy | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.store = store
        self.nflog = nflog
        self.notifiers = notifiers
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.executor = executor

    def deliver_due(self, limit: int = 50) -> DeliveryReport:
        """Attempt every notification whose time has come (in parallel with an executor)."""
        report = DeliveryReport()
        due = self.nflog.due(self.clock.now(), limit)
        if self.executor is None:
            outcomes = [self.attempt(entry) for entry in due]
        else:
            outcomes = list(self.executor.map(self.attempt, due))
        for entry, outcome in zip(due, outcomes, strict=True):
            getattr(report, outcome).append(entry.id)
        return report

    def attempt(self, entry: Entry) -> str:
        """One delivery attempt: ``sent``, ``retrying`` or ``failed``."""
        attempts = entry.attempts + 1
        notifier = self.notifiers.get(entry.receiver)
        if notifier is None:
            error = f"receiver {entry.receiver!r} is no longer in the rules file"
            return self._failed(entry, attempts, error)
        try:
            answer = notifier.send(entry.message)
        except NotifyFailed as exc:
            if exc.retryable and attempts < self.policy.max_attempts:
                wait = self.policy.delay(attempts)
                self.nflog.mark_retry(entry.id, attempts, self.clock.now() + wait, str(exc))
                NOTIFICATIONS.labels(entry.receiver, "retrying").inc()
                log.warning(
                    "%s to %s failed (attempt %d), retrying in %s: %s",
                    entry.kind,
                    entry.receiver,
                    attempts,
                    wait,
                    exc,
                )
                return "retrying"
            return self._failed(entry, attempts, str(exc))
        except Exception as exc:  # a bug in one notifier must not stop the others
            log.exception("notifier %s crashed", entry.receiver)
            return self._failed(entry, attempts, f"{type(exc).__name__}: {exc}")
        now = self.clock.now()
        # sent: the record of it must not be lost to a store that is briefly away, or the
        # notification would be sent again once the store is back
        retry_while_away(
            lambda: self.nflog.mark_sent(entry.id, now, attempts, answer), f"sent {entry.id}"
        )
        NOTIFICATIONS.labels(entry.receiver, "sent").inc()
        if entry.incident_id:
            incidents.record(
                self.store,
                entry.incident_id,
                "notified",
                Text(
                    "alerts.timeline.notified",
                    {
                        "kind": label_text("notification_kind", entry.kind),
                        "receiver": entry.receiver,
                        "target": label_text("notify_target", notifier.target()),
                        "answer": label_text("notify_answer", answer),
                    },
                ),
                data={
                    "notification": entry.id,
                    "receiver": entry.receiver,
                    "kind": entry.kind,
                    "attempts": attempts,
                },
                now=now,
            )
        return "sent"

    def _failed(self, entry: Entry, attempts: int, error: str) -> str:
        self.nflog.mark_failed(entry.id, attempts, error)
        NOTIFICATIONS.labels(entry.receiver, "failed").inc()
        log.error(
            "%s to %s failed for good after %d attempts: %s",
            entry.kind,
            entry.receiver,
            attempts,
            error,
        )
        if entry.incident_id:
            incidents.record(
                self.store,
                entry.incident_id,
                "notification_failed",
                Text(
                    "alerts.timeline.notification_failed",
                    {
                        "kind": label_text("notification_kind", entry.kind),
                        "receiver": entry.receiver,
                        "attempts": attempts,
                        "error": error,
                    },
                ),
                data={"notification": entry.id, "receiver": entry.receiver, "kind": entry.kind},
                now=self.clock.now(),
            )
        return "failed"
