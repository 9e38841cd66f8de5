"""The post-incident summary in Markdown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from alerts import incidents
from alerts.summary import incident_summary
from tests.unit.alerts.conftest import START, Harness, make_signal
from tests.unit.alerts.test_pipeline import RULES


def test_summary_tells_the_whole_story(harness_factory: Callable[[str], Harness]) -> None:
    h = harness_factory(RULES)
    h.feed(make_signal("a", at=START, samples=("快递丢了，联系 13812345678",)))
    h.run_for(timedelta(minutes=3))
    (incident,) = incidents.list_incidents(h.store)
    incidents.acknowledge(h.store, incident.id, "lin", "calling SF")
    incidents.set_step(h.store, incident.id, 1, "lin")
    incidents.add_note(h.store, incident.id, "lin", "refunds offered | apology sent")
    h.run_for(timedelta(minutes=7))
    incidents.resolve(h.store, incident.id, "lin", "hub reopened")
    h.run_for(timedelta(seconds=10))

    text = incident_summary(h.store, incident.id)
    assert text.startswith(f"# Incident {incident.id}: ")
    assert "| Status | resolved |" in text
    assert "| Acknowledged | 2026-11-20 02:03 UTC by lin (after 2m30s) |" in text
    assert "by lin (after 9m30s) |" in text  # time to resolve
    assert "observed 40 vs expected 5" in text and "138****5678" in text
    assert "13812345678" not in text
    assert "- [x] **responsibilities**" in text and "- [ ] **remedy**" in text
    assert "- oncall: 1 × firing (sent)" in text and "- oncall: 1 × resolved (sent)" in text
    assert "refunds offered \\| apology sent" in text  # table cells stay intact
    assert "playbook steps were not ticked off" in text
    assert "Nobody acknowledged" not in text
