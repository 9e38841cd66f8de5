"""Alerts: the pipeline, every stage assembled in one place.

route → group → inhibit → silence → quiet hours → dedupe → log → retry → notify,
plus incidents, escalation and auto-resolve.

:meth:`Pipeline.handle` takes signal updates; :meth:`Pipeline.tick` runs the
timers (group wait and interval, repeat, escalation, auto-resolve, silence
notices) at the clock's current time; :meth:`Pipeline.deliver_due` sends what
is due. All three work with a manual clock, which is how the tests drive time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Any

from alerts import incidents
from alerts.config import QuietHours, Rule, RulesConfig
from alerts.dedup import decide
from alerts.delivery import Deliverer, DeliveryReport, RetryPolicy
from alerts.dispatch import Dispatcher
from alerts.escalation import due_steps, escalation_note
from alerts.evidence import alert_view, build_message, notification_id
from alerts.incidents import SYSTEM_ACTOR, Incident
from alerts.inhibit import Inhibitor
from alerts.links import LinkSigner
from alerts.message import Message, NotificationKind
from alerts.model import Alert, firing_state
from alerts.nflog import NotificationLog
from alerts.notifiers import Notifier
from alerts.playbooks import checklist_data
from alerts.quiet import held_until
from alerts.silences import Silence, Silencer, ending_soon, mark_notice_sent, notice_text
from alerts.state import AlertState, Group
from alerts.titles import signal_title, title_for
from radar.clock import Clock
from radar.events import Signal
from radar.i18n import Locale, Text
from radar.store import Store

log = logging.getLogger(__name__)
HIDDEN_KEY_LABELS = ("alertname", "severity")
#: Alerts that ended this recently (processing time) still mute what they overlapped.
RECENTLY_ENDED = timedelta(hours=1)


class Pipeline:
    """Every stage of the alert service, wired together over one store and one clock."""

    def __init__(
        self,
        config: RulesConfig,
        store: Store,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        links: LinkSigner,
        *,
        policy: RetryPolicy | None = None,
        executor: Executor | None = None,
        max_signal_age: timedelta | None = None,
        locale: Locale | None = None,
    ) -> None:
        self.config = config
        self.locale = locale or Locale()
        self.store = store
        self.clock = clock
        self.links = links
        self.max_signal_age = max_signal_age
        self.state = AlertState(store)
        self.dispatcher = Dispatcher(config, self.state, store)
        self.inhibitor = Inhibitor(config.inhibit)
        self.silencer = Silencer(store)
        self.nflog = NotificationLog(store)
        self.deliverer = Deliverer(store, self.nflog, notifiers, clock, policy, executor)

    # -- input -------------------------------------------------------------------------------
    def handle(self, signal: Signal) -> list[Alert]:
        """Route and group one signal update (idempotent: replays change nothing)."""
        now = self.clock.now()
        too_old = self.max_signal_age is not None and now - signal.detected_at > self.max_signal_age
        if too_old and signal.status == "firing":
            log.info(
                "ignoring firing update of %s detected at %s: older than %s",
                signal.id,
                signal.detected_at,
                self.max_signal_age,
            )
            return []
        return self.dispatcher.ingest(signal, now)

    # -- timers ------------------------------------------------------------------------------
    def tick(self) -> None:
        """Run every timer that is due at the clock's current time."""
        now = self.clock.now()
        firing = self.state.firing()
        ended = self.state.ended_since(now - RECENTLY_ENDED)
        active = self.silencer.active(now)
        for group in self.state.groups():
            try:
                self._tick_group(group, now, firing, active, ended)
            except Exception:  # one broken group must not stop the others
                log.exception(
                    "alert group %s (rule %s) failed this tick", group.group_key, group.rule
                )
        self._silence_notices(now)

    def deliver_due(self) -> DeliveryReport:
        """The retry/notify stages: attempt every notification that is due."""
        return self.deliverer.deliver_due()

    def _rule(self, group: Group) -> Rule | None:
        try:
            return self.config.rule(group.rule)
        except KeyError:
            return None

    def _tick_group(
        self,
        group: Group,
        now: datetime,
        all_firing: list[Alert],
        active: list[Silence],
        ended: list[Alert],
    ) -> None:
        alerts = self.state.alerts_in(group.group_key)
        incident = (
            incidents.find_incident(self.store, group.incident_id) if group.incident_id else None
        )
        rule = self._rule(group)
        if rule is None:
            log.warning("rule %s is gone from the rules file; closing its group", group.rule)
            if incident is not None and incident.is_open:
                incidents.resolve(
                    self.store,
                    incident.id,
                    SYSTEM_ACTOR,
                    Text("alerts.note.rule_removed", {"rule": group.rule}),
                    now=now,
                )
            self.state.close_group(group.group_key)
            return
        if not alerts:
            self.state.close_group(group.group_key)
            return
        if incident is not None and incident.status == "resolved":
            self._close(group, rule, alerts, incident, now)  # resolved by hand
            return
        firing = [a for a in alerts if a.firing]
        if not firing and incident is None and group.last_flush_at is None:
            if now >= group.next_flush_at:  # what the group wait gathered, as one incident
                self._record_past(group, rule, alerts, now, all_firing, active, ended)
            return
        if not firing:
            self._maybe_auto_resolve(group, rule, alerts, incident, now)
            return
        muted = self._muted(firing, all_firing, active)
        live = [a for a in firing if a.fingerprint not in muted]
        if now >= group.next_flush_at:
            incident = self._flush(group, rule, alerts, live, incident, now)
        if incident is not None and live:
            incident = incidents.get_incident(self.store, incident.id)
            if incident.status == "open":
                self._escalate(group, rule, live, incident, now)

    def _muted(
        self,
        targets: Sequence[Alert],
        all_firing: Sequence[Alert],
        active: Sequence[Silence],
        ended: Sequence[Alert] = (),
    ) -> dict[str, list[str]]:
        muted = self.inhibitor.muted(targets, all_firing, ended)
        for fingerprint, reasons in self.silencer.muted(targets, active).items():
            muted.setdefault(fingerprint, []).extend(reasons)
        return muted

    def _record_past(
        self,
        group: Group,
        rule: Rule,
        alerts: list[Alert],
        now: datetime,
        all_firing: Sequence[Alert],
        active: Sequence[Silence],
        ended: Sequence[Alert],
    ) -> None:
        """A problem that began and ended before its group was first told (history read in a
        backfill, or a blip shorter than the group wait): it is recorded as an incident,
        resolved at once, and nobody is paged for it. Muted alerts record nothing."""
        muted = self._muted(alerts, all_firing, active, ended)
        shown = [a for a in alerts if a.fingerprint not in muted]
        if shown:
            incident = self._open(group, rule, shown, max(a.severity for a in shown), now)
            incidents.update_data(
                self.store,
                incident.id,
                {
                    "alerts": [alert_view(a).model_dump(mode="json") for a in shown],
                    "fingerprints": sorted(a.fingerprint for a in shown),
                    "past": True,
                },
                now=now,
            )
            note = Text("alerts.note.over_before_told", {})
            incidents.resolve(self.store, incident.id, SYSTEM_ACTOR, note, now=now)
        self.state.close_group(group.group_key)

    # -- flush: incident, quiet hours, dedupe, log ------------------------------------------
    def _flush(
        self,
        group: Group,
        rule: Rule,
        alerts: list[Alert],
        live: list[Alert],
        incident: Incident | None,
        now: datetime,
    ) -> Incident | None:
        group.last_flush_at, group.next_flush_at = now, now + rule.group_interval
        if not live:
            self.state.save_group(group)  # everything is silenced or inhibited
            return incident
        severity = max(a.severity for a in live)
        if incident is None:
            incident = self._open(group, rule, live, severity, now)
            group.incident_id = incident.id
        known = set(incident.data.get("fingerprints", []))
        for alert in live:
            if alert.fingerprint not in known and known:
                incidents.record(
                    self.store,
                    incident.id,
                    "alert",
                    Text(
                        "alerts.timeline.alert_joined",
                        {"alert": signal_title(alert.signal.type, alert.signal.key)},
                    ),
                    now=now,
                )
        incidents.update_data(
            self.store,
            incident.id,
            {
                "alerts": [alert_view(a).model_dump(mode="json") for a in alerts],
                "fingerprints": sorted(known | {a.fingerprint for a in live}),
            },
            severity=severity,
            now=now,
        )
        incident = incidents.get_incident(self.store, incident.id)
        hold = held_until(self._quiet(rule), severity, now)
        if hold is not None:
            if group.held_until != hold:
                incidents.record(
                    self.store,
                    incident.id,
                    "held",
                    Text("alerts.timeline.held", {"until": hold}),
                    now=now,
                )
            group.held_until = group.next_flush_at = hold
            self.state.save_group(group)
            return incident
        group.held_until = None
        state = firing_state(live)
        for receiver in rule.receivers:
            last = self.nflog.last(incident.id, receiver)
            kind = decide(
                last.firing if last else None,
                last.created_at if last else None,
                state,
                now,
                rule.repeat_interval,
                acknowledged=incident.status != "open",
            )
            if kind is not None:
                message = self._message(kind, receiver, rule, group, live, incident, now)
                self.nflog.enqueue(message, state)
                if "notified_at" not in incident.data:
                    incidents.update_data(self.store, incident.id, {"notified_at": now.isoformat()})
                    incident = incidents.get_incident(self.store, incident.id)
        self.state.save_group(group)
        return incident

    def _open(
        self, group: Group, rule: Rule, live: list[Alert], severity: int, now: datetime
    ) -> Incident:
        kind = rule.incident_type or live[0].signal.type
        key = {k: v for k, v in group.labels.items() if k not in HIDDEN_KEY_LABELS}
        title, title_text = title_for(rule, group.labels, live, self.locale)
        incident = incidents.open_incident(
            self.store,
            group_key=group.group_key,
            rule=rule.name,
            type=kind,
            title=title,
            severity=severity,
            key=key,
            owner=rule.owner,
            data={"checklist": checklist_data(kind, self.config, self.locale.lang)},
            title_text=title_text,
            now=now,
        )
        log.info("opened incident %s: %s", incident.id, incident.title)
        return incident

    def _message(
        self,
        kind: NotificationKind,
        receiver: str,
        rule: Rule,
        group: Group,
        alerts: Sequence[Alert],
        incident: Incident,
        now: datetime,
        **extra: Any,
    ) -> Message:
        """One notification about ``group`` (``extra``: ``note``, ``identity``)."""
        return build_message(
            kind=kind, receiver=receiver, rule=rule, group_key=group.group_key,
            group_labels=group.labels, alerts=alerts, incident=incident, links=self.links,
            now=now, locale=self.locale, **extra,
        )  # fmt: skip

    def _quiet(self, rule: Rule) -> list[QuietHours]:
        return [self.config.quiet(name) for name in rule.quiet_hours]

    # -- escalation ----------------------------------------------------------------------
    def _escalate(
        self, group: Group, rule: Rule, live: list[Alert], incident: Incident, now: datetime
    ) -> None:
        notified = incident.data.get("notified_at")
        if not rule.escalate or not notified:
            return
        done = set(incident.data.get("escalated", []))
        steps = due_steps(rule.escalate, datetime.fromisoformat(notified), done, now)
        if not steps or held_until(self._quiet(rule), incident.severity, now) is not None:
            return
        state = firing_state(live)
        for index, step in steps:
            for receiver in step.receivers:
                message = self._message(
                    "escalation", receiver, rule, group, live, incident, now,
                    note=escalation_note(step, self.locale), identity=("escalation", index),
                )  # fmt: skip
                self.nflog.enqueue(message, state)
            incidents.record(
                self.store,
                incident.id,
                "escalated",
                Text(
                    "alerts.timeline.escalated",
                    {"after": step.after, "receivers": ", ".join(step.receivers)},
                ),
                data={"step": index},
                now=now,
            )
            done.add(index)
        incidents.update_data(self.store, incident.id, {"escalated": sorted(done)})

    # -- resolution ----------------------------------------------------------------------
    def _maybe_auto_resolve(
        self,
        group: Group,
        rule: Rule,
        alerts: list[Alert],
        incident: Incident | None,
        now: datetime,
    ) -> None:
        if incident is None:
            self.state.close_group(group.group_key)  # nobody was told; nothing to close
            return
        since = max(a.ends_at or now for a in alerts)
        if now - since < rule.resolve_after:
            return
        note = Text("alerts.note.back_at_baseline", {"duration": now - since})
        incident = incidents.resolve(self.store, incident.id, SYSTEM_ACTOR, note, now=now)
        self._close(group, rule, alerts, incident, now)

    def _close(
        self, group: Group, rule: Rule, alerts: list[Alert], incident: Incident, now: datetime
    ) -> None:
        """Tell everyone who heard about the incident that it is over, and close the group."""
        if rule.send_resolved:
            hold = held_until(self._quiet(rule), incident.severity, now)
            note = (
                self.locale.t("alerts.note.resolved_by", user=incident.resolved_by)
                if incident.resolved_by
                else self.locale.t("alerts.note.resolved")
            )
            for receiver in self.nflog.receivers_told(incident.id):
                message = self._message(
                    "resolved", receiver, rule, group, alerts, incident, now,
                    note=note, identity=("resolved",),
                )  # fmt: skip
                self.nflog.enqueue(message, [], due_at=hold)
        self.state.close_group(group.group_key)
        log.info("incident %s resolved (%s)", incident.id, incident.resolved_by)

    # -- silence notices -----------------------------------------------------------------
    def _silence_notices(self, now: datetime) -> None:
        notices = self.config.silences
        if not notices.receivers:
            return
        for silence in ending_soon(self.store, now, notices.notice_before):
            for receiver in notices.receivers:
                message = Message(
                    id=notification_id("silence", silence.id, receiver),
                    kind="silence_notice",
                    status="firing",
                    receiver=receiver,
                    group_key=f"silence:{silence.id}",
                    rule="silences",
                    title=self.locale.t(
                        "alerts.silence.title", id=silence.id, ends=silence.ends_at
                    ),
                    severity=1,
                    note=notice_text(silence, now, self.locale),
                    created_at=now,
                    lang=self.locale.lang,
                    timezone=self.locale.timezone,
                )
                self.nflog.enqueue(message, [])
            mark_notice_sent(self.store, silence.id, now)
