"""Incidents: lifecycle, timeline, checklist and publishing versions (the dashboard's API)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts import incidents
from alerts.incidents import IncidentNotFound, InvalidTransition
from alerts.playbooks import checklist_data, playbook
from alerts.publisher import mark_published, unpublished
from alerts.timeline import append_event
from radar.clock import ManualClock
from radar.i18n import Locale
from radar.store import Store
from tests.unit.alerts.conftest import rules


def opened(store: Store) -> incidents.Incident:
    return incidents.open_incident(
        store,
        group_key="g1",
        rule="logistics-spike",
        type="spike",
        title="物流投诉激增: 华东",
        severity=2,
        key={"region": "华东"},
        data={"checklist": checklist_data("spike")},
    )


def test_open_acknowledge_resolve_with_timeline(store: Store, clock: ManualClock) -> None:
    incident = opened(store)
    assert incident.id.startswith("INC-20261120-") and incident.status == "open"
    assert incident.version == 1 and incident.owner is None
    clock.advance(timedelta(minutes=7))
    acked = incidents.acknowledge(store, incident.id, "lin", "calling the carrier")
    assert acked.status == "acknowledged" and acked.owner == "lin"
    assert acked.acknowledged_at == clock.now() and acked.version == 2
    clock.advance(timedelta(minutes=30))
    done = incidents.resolve(store, incident.id, "wang", "hub reopened")
    assert (done.status, done.resolved_by, done.resolved_at) == ("resolved", "wang", clock.now())
    entries = incidents.timeline(store, incident.id)
    assert [e.kind for e in entries] == ["opened", "acknowledged", "resolved"]
    assert entries[1].message == "lin 已确认：calling the carrier"
    assert entries[1].text(Locale("en")) == "acknowledged by lin: calling the carrier"
    assert entries[2].text(Locale()) == "wang 已解决：hub reopened"
    assert entries[2].actor == "wang"
    assert incidents.list_incidents(store) == []  # "open" means open or acknowledged
    assert [i.id for i in incidents.list_incidents(store, status="resolved")] == [incident.id]


def test_transitions_that_make_no_sense_are_refused(store: Store) -> None:
    incident = opened(store)
    again = incidents.acknowledge(store, incident.id, "lin")
    assert incidents.acknowledge(store, incident.id, "lin").version == again.version  # no-op
    incidents.resolve(store, incident.id, "lin")
    with pytest.raises(InvalidTransition, match="is resolved; cannot acknowledged"):
        incidents.acknowledge(store, incident.id, "lin")
    assert incidents.resolve(store, incident.id, "lin").status == "resolved"  # no-op
    with pytest.raises(IncidentNotFound, match="incident list"):
        incidents.acknowledge(store, "INC-nope", "lin")


def test_notes_owner_and_checklist(store: Store, clock: ManualClock) -> None:
    incident = opened(store)
    incidents.assign(store, incident.id, "wang", "lin")
    incidents.add_note(store, incident.id, "wang", "holding statement posted")
    clock.advance(60)
    incidents.set_step(store, incident.id, 2, "wang")
    incidents.set_step(store, incident.id, 3, "wang")
    incidents.set_step(store, incident.id, 3, "wang", done=False)
    items = incidents.checklist(store, incident.id)
    assert len(items) == len(playbook("spike"))
    assert [i.done for i in items[:4]] == [False, True, False, False]
    assert items[1].done_by == "wang" and items[1].done_at == clock.now()
    assert {i.area for i in items} <= {
        "responsibilities",
        "communication",
        "remedy",
        "coordination",
    }
    assert incidents.get_incident(store, incident.id).owner == "wang"
    with pytest.raises(ValueError, match="no step 99"):
        incidents.set_step(store, incident.id, 99, "wang")
    with pytest.raises(ValueError, match="needs text"):
        incidents.add_note(store, incident.id, "wang", "  ")
    kinds = [e.kind for e in incidents.timeline(store, incident.id)]
    assert kinds == ["opened", "assigned", "note", "checklist", "checklist", "checklist"]


def test_a_resolved_incidents_checklist_is_its_record(store: Store) -> None:
    """The dashboard only disabled the boxes; a client could still tick them (review L6)."""
    incident = opened(store)
    incidents.set_step(store, incident.id, 1, "wang")
    incidents.resolve(store, incident.id, "lin")
    with pytest.raises(InvalidTransition, match="resolved"):
        incidents.set_step(store, incident.id, 1, "wang", done=False)
    with pytest.raises(InvalidTransition):
        incidents.set_step(store, incident.id, 2, "wang")
    assert [i.done for i in incidents.checklist(store, incident.id)[:2]] == [True, False]


def test_timeline_and_steps_in_the_readers_language(store: Store) -> None:
    incident = opened(store)
    incidents.set_step(store, incident.id, 1, "wang")
    incidents.add_note(store, incident.id, "wang", "顺丰说明天恢复")  # a note: as written
    with store.engine.begin() as conn:  # an entry stored as plain text, before message keys
        append_event(conn, incident.id, incident.opened_at, "note", "lin", "old text")
    entries = incidents.timeline(store, incident.id)
    zh, en = Locale(), Locale("en")
    assert [e.text(zh) for e in entries] == [
        "由规则 logistics-spike 开启：物流投诉激增: 华东",
        "第 1 步已完成：确认并指定负责人",
        "顺丰说明天恢复",
        "old text",
    ]
    assert [e.text(en) for e in entries][:2] == [
        "opened by rule logistics-spike: 物流投诉激增: 华东",
        "step 1 done: Acknowledge and name an owner",
    ]
    step = incidents.checklist(store, incident.id)[0]
    assert (step.text_in(zh), step.text_in(en)) == (
        "确认并指定负责人",
        "Acknowledge and name an owner",
    )
    own = incidents.open_incident(
        store,
        group_key="g2",
        rule="r",
        type="spike",
        title="t",
        severity=1,
        key={},
        data={"checklist": checklist_data("spike", rules(OWN_PLAYBOOK))},
    )
    assert incidents.checklist(store, own.id)[0].text_in(en) == "call the warehouse"


def test_every_change_is_unpublished_until_marked(store: Store) -> None:
    incident = opened(store)
    assert [i.id for i in unpublished(store)] == [incident.id]
    mark_published(store, incident.id, 1)
    assert unpublished(store) == []
    incidents.add_note(store, incident.id, "lin", "update")
    (changed,) = unpublished(store)
    assert changed.version == 2
    record = changed.to_record(url="http://dash/incidents?incident=x")
    assert (
        record["status"] == "open"
        and record["version"] == 2
        and record["key"] == {"region": "华东"}
    )
    incidents.record(store, incident.id, "notified", "sent")  # notifications do not republish
    mark_published(store, incident.id, 2)
    assert unpublished(store) == []


OWN_PLAYBOOK = """
receivers: [{name: a, log: {}}]
rules: [{name: r, receivers: [a]}]
playbooks:
  spike:
    - {area: remedy, text: "call the warehouse"}
"""


def test_playbooks_from_the_rules_file_replace_the_defaults() -> None:
    config = rules(OWN_PLAYBOOK)
    assert [s.text for s in playbook("spike", config)] == ["call the warehouse"]
    assert len(playbook("crisis", config)) > 3  # Radar's own
    assert playbook("unknown-type") == playbook("default")
