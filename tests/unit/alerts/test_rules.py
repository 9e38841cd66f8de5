"""The route stage: which rules take a signal, with what labels, in which group."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.rules import matches, route
from radar.events import Driver, Signal
from tests.unit.alerts.conftest import make_signal, rules

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CONFIG = rules("""
receivers:
  - {name: oncall, log: {}}
  - {name: lead, log: {}}
rules:
  - name: crisis
    match: {crisis_terms: [起火, 爆炸, 中毒]}
    severity: critical
    receivers: [oncall, lead]
    continue: true
  - name: east-spikes
    match: {type: [spike], labels: {region: 华东}, min_score: 0.95, min_ratio: 3}
    group_by: [region]
    receivers: [oncall]
  - name: any-spike
    match: {type: spike, min_observed: 10}
    receivers: [lead]
  - name: sla
    match: {sla_breach: true, min_severity: 1}
    receivers: [oncall]
""")


def names(signal_kwargs: dict) -> list[str]:  # type: ignore[type-arg]
    return [r.rule.name for r in route(CONFIG, make_signal(at=NOW, **signal_kwargs))]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["east-spikes"]),
        ({"score": 0.9}, ["any-spike"]),  # below the east rule's score
        ({"observed": 12, "expected": 5}, ["any-spike"]),  # ratio 2.4 < 3
        ({"key": {"region": "华南", "topic": "x"}}, ["any-spike"]),
        ({"observed": 5, "expected": 0.1, "key": {"region": "华南"}}, []),
        ({"crisis_terms": ("起火",)}, ["crisis", "east-spikes"]),  # continue: true
        ({"crisis_terms": ("曝光",)}, ["east-spikes"]),  # not one of the listed terms
        ({"type": "unanswered", "severity": 1}, ["sla"]),
        ({"type": "unanswered", "severity": 0}, []),
        ({"type": "silence"}, []),
    ],
)
def test_which_rules_take_a_signal(kwargs: dict, expected: list[str]) -> None:  # type: ignore[type-arg]
    assert names(kwargs) == expected


def test_labels_severity_and_group() -> None:
    (crisis, spike) = route(CONFIG, make_signal(at=NOW, crisis_terms=("爆炸",), severity=1))
    assert crisis.severity == 3 and crisis.labels["severity"] == "critical"
    assert spike.severity == 1  # the signal's own
    assert crisis.labels == {
        "topic": "物流配送",
        "region": "华东",
        "alertname": "crisis",
        "type": "spike",
        "severity": "critical",
    }
    assert spike.group_labels == {"region": "华东"}
    assert "severity" not in crisis.group_labels  # "..." groups by every label but severity
    other_topic = route(CONFIG, make_signal("b", at=NOW, key={"region": "华东", "topic": "退款"}))
    assert other_topic[0].group_key == spike.group_key  # same region, same group
    assert other_topic[0].fingerprint != spike.fingerprint


def test_match_conditions_one_by_one() -> None:
    rule = CONFIG.rule("east-spikes")
    signal = make_signal(at=NOW)
    labels = {"region": "华东", "type": "spike"}
    assert matches(rule.match, signal, labels)
    assert not matches(rule.match, signal, {"region": "华北", "type": "spike"})


def test_a_rule_matches_on_the_drivers_of_a_signal() -> None:
    config = rules("""
receivers:
  - {name: oncall, log: {}}
rules:
  - name: guangdong-wave
    match: {type: spike, drivers: ['region="广东"', 'channel=~"social|forum"']}
    receivers: [oncall]
""")
    rule = config.rules[0]
    plain = make_signal(at=NOW)

    def driven(*pairs: tuple[str, str]) -> Signal:
        drivers = [Driver(field=f, value=v, share=0.6, observed=9, expected=1) for f, v in pairs]
        return plain.model_copy(update={"drivers": drivers})

    labels = {"type": "spike"}
    assert matches(rule.match, driven(("region", "广东"), ("channel", "social")), labels)
    assert matches(
        rule.match, driven(("region", "浙江"), ("region", "广东"), ("channel", "forum")), labels
    )
    assert not matches(rule.match, driven(("region", "浙江"), ("channel", "social")), labels)
    assert not matches(rule.match, driven(("region", "广东")), labels)  # no channel driver
    assert not matches(rule.match, plain, labels)


def test_the_shipped_rules_open_one_incident_per_emerging_term() -> None:
    from alerts.loader import load_rules
    from alerts.settings import DEFAULT_RULES
    from alerts.titles import signal_title
    from radar.i18n import Locale

    config = load_rules(DEFAULT_RULES)
    routed = [
        route(config, make_signal(f"s{n}", at=NOW, type="emerging", key={"term": term}))
        for n, term in enumerate(("二维码失效", "二维码失效", "漏发赠品"))
    ]
    assert [[r.rule.name for r in found] for found in routed] == [["emerging-issue"]] * 3
    groups = [found[0].group_key for found in routed]
    assert groups[0] == groups[1] != groups[2]
    title = Locale().render(signal_title("emerging", {"term": "二维码失效"}))
    assert title == "新问题：二维码失效"
