"""The shipped rules (alerts/default_rules.yaml) on a manual clock: what a wave opens.

A large courier wave in one region raises the overall complaint count a few
minutes before its own key (topic × region) has the evidence to fire; while a
safety scare goes on, the overall window's samples quote the scare. On-call
staff should hear about the wave once, as the wave, and about the scare once,
as a crisis.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from alerts import incidents
from alerts.settings import DEFAULT_RULES
from tests.unit.alerts.conftest import START, Harness, make_signal

S = timedelta(seconds=1)
M = timedelta(minutes=1)
OVERALL = {"scope": "all"}
WAVE = {"topic": "物流配送", "region": "浙江"}
SCARE = {"crisis": "safety", "product": "热水器"}


def shipped(harness_factory: Callable[[str], Harness]) -> Harness:
    return harness_factory(DEFAULT_RULES.read_text(encoding="utf-8"))


def opened(h: Harness) -> list[tuple[str, str, dict[str, str]]]:
    return sorted(
        (i.type, i.rule, {k: v for k, v in i.key.items() if v and k != "type"})
        for i in incidents.list_incidents(h.store)
    )


def test_the_overall_spike_waits_for_the_wave_that_explains_it(
    harness_factory: Callable[[str], Harness],
) -> None:
    h = shipped(harness_factory)
    h.feed(make_signal("overall", at=START, key=OVERALL, crisis_terms=("漏电", "冒烟")))
    h.run_for(2 * M)
    h.feed(make_signal("wave", at=START + 2 * M, key=WAVE))
    h.run_for(15 * M)
    assert opened(h) == [("spike", "complaint-spike", WAVE)]


def test_an_overall_spike_nothing_explains_opens_after_its_wait(
    harness_factory: Callable[[str], Harness],
) -> None:
    h = shipped(harness_factory)
    h.feed(make_signal("overall", at=START, key=OVERALL))
    h.run_for(9 * M)
    assert opened(h) == []
    h.run_for(2 * M)
    assert opened(h) == [("spike", "overall-spike", {})]  # the key names no field
    (incident,) = incidents.list_incidents(h.store)
    assert incident.title == "投诉激增：全部反馈"


def test_a_spike_quoting_a_scare_is_no_second_crisis(
    harness_factory: Callable[[str], Harness],
) -> None:
    h = shipped(harness_factory)
    h.feed(make_signal("scare", at=START, key=SCARE, type="crisis", crisis_terms=("漏电",)))
    h.feed(make_signal("overall", at=START, key=OVERALL, crisis_terms=("漏电", "起火")))
    h.feed(make_signal("elsewhere", at=START, key=WAVE, crisis_terms=("曝光",)))
    h.run_for(15 * M)
    assert opened(h) == [
        ("crisis", "crisis", SCARE),  # the scare, once; its echo in the overall count is muted
        ("spike", "complaint-spike", WAVE),  # a wave with a place of its own is still news
    ]
    (crisis,) = [i for i in incidents.list_incidents(h.store) if i.type == "crisis"]
    assert crisis.severity == 3
