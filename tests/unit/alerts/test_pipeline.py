"""The alert pipeline on a manual clock: grouping, dedupe, repeat, escalation, silences,
inhibition, quiet hours, auto-resolve and restarts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from alerts import incidents
from alerts.silences import create_silence
from tests.unit.alerts.conftest import START, Harness, make_signal

RULES = """
defaults:
  group_by: [region]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  resolve_after: 10m
receivers:
  - {name: oncall, webhook: {url: "http://127.0.0.1:9/oncall"}}
  - {name: lead, webhook: {url: "http://127.0.0.1:9/lead"}}
  - {name: ops, webhook: {url: "http://127.0.0.1:9/ops"}}
quiet_hours:
  - {name: night, start: "22:00", end: "08:00", timezone: Asia/Shanghai}
inhibit:
  - name: region-wide
    source: ['type="spike"', 'product=""']
    target: ['product=~".+"']
    equal: [region]
silences: {notice_before: 30m, receivers: [ops]}
rules:
  - name: crisis
    match: {any_crisis_term: true}
    severity: critical
    receivers: [oncall]
    group_wait: 0s
    quiet_hours: [night]
  - name: spikes
    match: {type: spike, min_score: 0.9}
    group_by: [region, product]
    receivers: [oncall]
    quiet_hours: [night]
    escalate:
      - {after: 15m, receivers: [lead]}
      - {after: 30m, receivers: [ops]}
"""

HarnessFactory = Callable[[str], Harness]
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def at(offset: timedelta) -> datetime:
    return START + offset


class TestGrouping:
    def test_group_wait_gathers_alerts_into_one_notification(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S), key={"topic": "物流配送", "region": "华东"}))
        h.clock.advance(10 * S)
        h.feed(make_signal("b", at=at(10 * S), key={"topic": "破损", "region": "华东"}))
        h.run_for(15 * S)
        assert h.sent("oncall") == []  # still inside group_wait
        h.run_for(10 * S)
        (message,) = h.sent("oncall")
        assert message.kind == "firing"
        assert {a.signal_id for a in message.alerts} == {"a", "b"}
        (incident,) = incidents.list_incidents(h.store)
        assert incident.status == "open" and incident.key == {"region": "华东", "product": ""}

    def test_other_region_is_another_group_and_incident(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(
            make_signal("a", at=at(0 * S), key={"topic": "物流配送", "region": "华东"}),
            make_signal("b", at=at(0 * S), key={"topic": "物流配送", "region": "华南"}),
        )
        h.run_for(40 * S)
        assert len(h.sent("oncall")) == 2
        assert len(incidents.list_incidents(h.store)) == 2

    def test_updates_of_the_same_alerts_are_not_sent_again(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(40 * S)
        for minute in range(1, 50, 3):
            h.clock.set(at(minute * M))
            h.feed(make_signal("a", at=at(minute * M), observed=40 + minute))
        h.run_for(5 * M)
        assert [m.kind for m in h.sent("oncall")] == ["firing"]

    def test_new_alert_joins_and_is_told_at_the_next_group_interval(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S), key={"topic": "物流配送", "region": "华东"}))
        h.run_for(40 * S)  # first flush at 30s; next at 5m30s
        h.clock.set(at(M))
        h.feed(make_signal("b", at=at(M), key={"topic": "破损", "region": "华东"}))
        h.run_for(4 * M)
        assert len(h.sent("oncall")) == 1
        h.run_for(40 * S)
        _first, second = h.sent("oncall")
        assert second.kind == "firing" and len(second.alerts) == 2
        (incident,) = incidents.list_incidents(h.store)
        assert any(e.kind == "alert" for e in incidents.timeline(h.store, incident.id))

    def test_higher_severity_is_news(self, harness_factory: HarnessFactory) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S), severity=1))
        h.run_for(40 * S)
        h.clock.set(at(M))
        h.feed(make_signal("a", at=at(M), severity=3))
        h.run_for(5 * M)
        assert [m.severity for m in h.sent("oncall")] == [1, 3]


class TestRepeatAndEscalation:
    def test_repeat_after_interval_until_acknowledged(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(
            RULES.replace("escalate:", "escalate_off:")
            .replace(
                "      - {after: 15m, receivers: [lead]}\n      - {after: 30m, receivers: [ops]}\n",
                "",
            )
            .replace("    escalate_off:\n", "")
        )
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(40 * S)
        h.run_for(55 * M)
        assert h.notifiers["oncall"].kinds() == ["firing"]
        h.run_for(10 * M)  # first flush after 1h since the first message
        assert h.notifiers["oncall"].kinds() == ["firing", "repeat"]
        (incident,) = incidents.list_incidents(h.store)
        incidents.acknowledge(h.store, incident.id, "lin", "checking with the carrier")
        h.run_for(3 * 60 * M, step=M)
        assert h.notifiers["oncall"].kinds() == ["firing", "repeat"]

    def test_escalates_step_by_step_when_nobody_acknowledges(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(30 * S)
        assert len(h.sent("oncall")) == 1
        h.run_for(14 * M)
        assert h.sent("lead") == []
        h.run_for(1 * M)
        (escalated,) = h.sent("lead")
        assert escalated.kind == "escalation" and "15 分钟内无人确认" in (escalated.note or "")
        assert h.sent("ops") == []
        h.run_for(15 * M)
        assert [m.kind for m in h.sent("ops")] == ["escalation"]
        h.run_for(30 * M)
        assert len(h.sent("lead")) == 1 and len(h.sent("ops")) == 1  # each step once
        (incident,) = incidents.list_incidents(h.store)
        kinds = [e.kind for e in incidents.timeline(h.store, incident.id)]
        assert kinds.count("escalated") == 2

    def test_acknowledging_stops_escalation(self, harness_factory: HarnessFactory) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(5 * M)
        (incident,) = incidents.list_incidents(h.store)
        incidents.acknowledge(h.store, incident.id, "lin")
        h.run_for(60 * M, step=30 * S)
        assert h.sent("lead") == [] and h.sent("ops") == []


class TestSilences:
    def test_silenced_alerts_open_nothing_and_return_after_expiry(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        silence = create_silence(
            h.store,
            ['region="华东"'],
            created_by="lin",
            comment="carrier strike, customers informed",
            duration=2 * 60 * M,
        )
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(60 * M, step=30 * S)
        assert h.sent("oncall") == []
        assert incidents.list_incidents(h.store) == []
        h.run_for(40 * M, step=30 * S)  # 30 minutes before the end: the notice
        (notice,) = h.sent("ops")
        assert notice.kind == "silence_notice" and silence.id in (notice.note or "")
        assert h.sent("oncall") == []
        h.clock.set(at(2 * 60 * M))
        h.feed(make_signal("a", at=at(2 * 60 * M)))  # still firing
        h.run_for(6 * M)
        assert [m.kind for m in h.sent("oncall")] == ["firing"]
        assert len(h.sent("ops")) == 1  # the notice was sent once

    def test_expiring_a_silence_by_hand(self, harness_factory: HarnessFactory) -> None:
        from alerts.silences import expire_silence

        h = harness_factory(RULES)
        silence = create_silence(
            h.store, ['topic="物流配送"'], created_by="lin", comment="known", duration=60 * M
        )
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(M)
        assert h.sent("oncall") == []
        expire_silence(h.store, silence.id, "lin")
        h.run_for(5 * M)
        assert len(h.sent("oncall")) == 1
        assert h.sent("ops") == []  # expired by hand: no "ending soon" notice


class TestInhibition:
    def test_region_wide_incident_mutes_its_product_children(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(
            make_signal("region", at=at(0 * S), key={"region": "华东"}),
            make_signal("phone", at=at(0 * S), key={"region": "华东", "product": "手机"}),
            make_signal("other", at=at(0 * S), key={"region": "华南", "product": "手机"}),
        )
        h.run_for(40 * S)
        told = sorted(tuple(sorted(m.group_labels.items())) for m in h.sent("oncall"))
        assert told == [
            (("product", ""), ("region", "华东")),
            (("product", "手机"), ("region", "华南")),  # another region: not muted
        ]
        h.clock.set(at(2 * M))
        h.feed(make_signal("region", at=at(2 * M), key={"region": "华东"}, status="resolved"))
        h.run_for(6 * M)
        children = [
            m
            for m in h.sent("oncall")
            if m.group_labels.get("product") == "手机" and m.group_labels["region"] == "华东"
        ]
        assert len(children) == 1  # heard once the parent stopped firing

    def test_a_nested_rule_mutes_the_broader_keys_a_specific_spike_explains(
        self, harness_factory: HarnessFactory
    ) -> None:
        rules = RULES.replace(
            "inhibit:\n",
            """inhibit:
  - name: explained
    source: ['type="spike"', 'topic=~".+"', 'region=~".+"']
    target: ['type="sentiment_shift"']
    equal: [topic, region, product]
    nested: true
""",
        )
        h = harness_factory(
            rules.replace("match: {type: spike,", "match: {type: [spike, sentiment_shift],")
        )
        h.feed(
            make_signal("wave", at=at(0 * S), key={"topic": "物流配送", "region": "华南"}),
            make_signal("topic", at=at(0 * S), key={"topic": "物流配送"}, type="sentiment_shift"),
            make_signal(
                "elsewhere",
                at=at(0 * S),
                key={"topic": "物流配送", "region": "华东"},
                type="sentiment_shift",
            ),
            make_signal("chat", at=at(0 * S), key={"channel": "chat"}, type="sentiment_shift"),
        )
        h.run_for(40 * S)
        told = {a.signal_id for m in h.sent("oncall") for a in m.alerts}
        assert told == {"wave", "elsewhere", "chat"}  # the topic alone is explained by the wave


class TestHistory:
    """Problems that began and ended before anyone was told: a backfill's history."""

    def test_a_problem_already_over_is_recorded_resolved_and_pages_nobody(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("old", at=at(0 * S)))
        h.feed(make_signal("old", at=at(1 * S), status="resolved"))  # within group_wait
        h.run_for(2 * M)
        assert h.sent("oncall") == []
        (incident,) = incidents.list_incidents(h.store, status=None)
        assert incident.status == "resolved" and incident.data.get("past") is True
        assert incident.signal_keys() == [{"topic": "物流配送", "region": "华东"}]

    def test_problems_over_within_one_group_wait_are_one_past_incident(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        for n in range(3):  # three threads of one region, each over within seconds
            h.feed(make_signal(f"t{n}", at=at(n * S)))
            h.feed(make_signal(f"t{n}", at=at(n * S), status="resolved"))
        h.run_for(2 * M)
        (incident,) = incidents.list_incidents(h.store, status=None)
        assert incident.status == "resolved" and len(incident.data["alerts"]) == 3

    def test_an_overlapping_specific_spike_mutes_a_past_broad_one(
        self, harness_factory: HarnessFactory
    ) -> None:
        rules = RULES.replace(
            "inhibit:\n",
            """inhibit:
  - name: specific-mutes-overall
    source: ['type="spike"', 'scope!="all"']
    target: ['type="spike"', 'scope="all"']
""",
        )
        h = harness_factory(rules)
        wave = {"topic": "物流配送", "region": "华南"}
        h.feed(
            make_signal("wave", at=at(0 * S), key=wave),
            make_signal("all", at=at(0 * S), key={"scope": "all"}),
        )
        h.feed(  # the wave's signal ends first; the overall one a little later
            make_signal("wave", at=at(1 * S), key=wave, status="resolved"),
        )
        h.feed(make_signal("all", at=at(2 * S), key={"scope": "all"}, status="resolved"))
        h.run_for(2 * M)
        keys = [i.signal_keys() for i in incidents.list_incidents(h.store, status=None)]
        assert keys == [[wave]]


class TestQuietHours:
    def test_non_critical_waits_until_morning_critical_does_not(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        night = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
        h.clock.set(night)
        h.feed(make_signal("spike", at=night, key={"region": "华东"}))
        h.feed(
            make_signal(
                "fire", at=night, key={"region": "华北"}, type="crisis", crisis_terms=("起火",)
            )
        )
        h.run_for(M)
        assert [m.rule for m in h.sent("oncall")] == ["crisis"]
        morning = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
        h.run_for(morning - h.clock.now() - M, step=5 * M)
        assert [m for m in h.sent("oncall") if m.rule == "spikes"] == []
        h.run_for(2 * M, step=30 * S)
        spikes = [m for m in h.sent("oncall") if m.rule == "spikes"]
        assert len(spikes) == 1
        assert morning <= spikes[0].created_at < morning + M
        (incident,) = [i for i in incidents.list_incidents(h.store) if i.rule == "spikes"]
        assert any(e.kind == "held" for e in incidents.timeline(h.store, incident.id))


class TestResolution:
    def test_auto_resolve_after_staying_at_baseline(self, harness_factory: HarnessFactory) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(40 * S)
        h.clock.set(at(2 * M))
        h.feed(make_signal("a", at=at(2 * M), status="resolved", observed=5))
        h.run_for(5 * M)
        h.feed(make_signal("a", at=h.clock.now(), observed=30))  # back up: the wait restarts
        h.run_for(M)
        h.feed(make_signal("a", at=h.clock.now(), status="resolved", observed=4))
        h.run_for(9 * M)
        (incident,) = incidents.list_incidents(h.store)
        assert incident.status == "open"
        h.run_for(2 * M)
        incident = incidents.get_incident(h.store, incident.id)
        assert incident.status == "resolved" and incident.resolved_by == "radar"
        assert h.notifiers["oncall"].kinds() == ["firing", "resolved"]
        assert h.pipeline.state.groups() == []

    def test_condition_coming_back_later_opens_a_new_incident(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(40 * S)
        h.feed(make_signal("a", at=h.clock.now(), status="resolved"))
        h.run_for(11 * M)
        h.feed(make_signal("a", at=h.clock.now()))
        h.run_for(40 * S)
        assert h.notifiers["oncall"].kinds() == ["firing", "resolved", "firing"]
        statuses = sorted(i.status for i in incidents.list_incidents(h.store, status=None))
        assert statuses == ["open", "resolved"]

    def test_resolving_by_hand_tells_everyone_who_heard(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(16 * M)  # oncall notified, lead escalated
        (incident,) = incidents.list_incidents(h.store)
        incidents.resolve(h.store, incident.id, "lin", "carrier fixed the hub")
        h.run_for(10 * S)
        assert h.notifiers["oncall"].kinds()[-1] == "resolved"
        assert h.notifiers["lead"].kinds() == ["escalation", "resolved"]
        h.feed(make_signal("a", at=h.clock.now()))  # the detector still fires
        h.run_for(30 * M)
        assert h.notifiers["oncall"].kinds() == ["firing", "resolved"]

    def test_alerts_that_end_while_muted_close_quietly(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        create_silence(
            h.store, ['region="华东"'], created_by="lin", comment="known", duration=60 * M
        )
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(M)
        h.feed(make_signal("a", at=h.clock.now(), status="resolved"))
        h.run_for(M)
        assert h.pipeline.state.groups() == [] and h.sent("oncall") == []


class TestRestart:
    def test_restart_mid_incident_sends_nothing_twice(
        self, harness_factory: HarnessFactory
    ) -> None:
        h = harness_factory(RULES)
        signals = [make_signal("a", at=at(0 * S)), make_signal("a", at=at(20 * S), observed=50)]
        h.feed(*signals)
        h.run_for(16 * M)
        assert len(h.sent("oncall")) == 1 and len(h.sent("lead")) == 1

        again = h.restart()
        again.feed(*signals)  # the uncommitted part of the topic is read again
        again.run_for(10 * M)
        assert again.sent("oncall") == [] and again.sent("lead") == []
        again.run_for(10 * M)  # the next escalation step is still due, once
        assert [m.kind for m in again.sent("ops")] == ["escalation"]
        assert len(incidents.list_incidents(again.store)) == 1

    def test_a_pending_delivery_survives_a_restart(self, harness_factory: HarnessFactory) -> None:
        from alerts.notifiers import NotifyFailed

        h = harness_factory(RULES)
        h.notifiers["oncall"].failures.append(NotifyFailed("down", retryable=True))
        h.feed(make_signal("a", at=at(0 * S)))
        h.run_for(31 * S, step=31 * S)
        assert h.sent("oncall") == []
        again = h.restart()
        again.run_for(30 * S)
        assert [m.kind for m in again.sent("oncall")] == ["firing"]

    def test_replayed_older_updates_change_nothing(self, harness_factory: HarnessFactory) -> None:
        h = harness_factory(RULES)
        first = make_signal("a", at=at(0 * S))
        ended = make_signal("a", at=at(M), status="resolved")
        h.feed(first)
        h.run_for(40 * S)
        h.clock.set(at(M))
        h.feed(ended)
        h.feed(first)  # an old firing update arriving late
        h.run_for(11 * M)
        (incident,) = incidents.list_incidents(h.store, status=None)
        assert incident.status == "resolved"


class TestTimelineLanguage:
    def test_a_notification_to_the_service_log_reads_in_chinese_and_english(
        self, harness_factory: HarnessFactory
    ) -> None:
        from alerts.notifiers.log import LogConfig, LogNotifier
        from radar.i18n import Locale

        h = harness_factory(RULES)
        h.pipeline.deliverer.notifiers = {"oncall": LogNotifier("oncall", LogConfig())}
        h.feed(make_signal("c", at=at(0 * S), crisis_terms=("漏电",)))
        h.run_for(5 * S)
        (incident,) = incidents.list_incidents(h.store)
        (entry,) = [e for e in incidents.timeline(h.store, incident.id) if e.kind == "notified"]
        zh = entry.text(Locale.of("zh"))
        assert zh == "告警通知已发送给 oncall（服务日志）：已写入"
        assert entry.text(Locale.of("en")) == (
            "firing notification sent to oncall (the service log): logged"
        )
