"""Review L6: an incident action is refused to a role that may not act, whatever reaches it.

The incidents page shows its action controls only to roles that may act, and every
role that sees the page may, so no page run reaches the check in ``act``; these
tests call it directly.
"""

from __future__ import annotations

from typing import Any

import pytest
import streamlit as st

import alerts
from dashboard.auth import User
from dashboard.incident_actions import act
from radar.store.audit import recent_actions
from tests.unit.dashboard.conftest import Seeded


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A session of its own (what ``act`` keeps to show), and resources for this test's store."""
    state: dict[str, Any] = {"lang": "zh"}
    monkeypatch.setattr(st, "session_state", state)
    st.cache_resource.clear()
    return state


@pytest.mark.parametrize("roles", [("product",), ()], ids=["product", "no role"])
def test_a_role_that_may_not_act_is_refused_before_anything_runs(
    roles: tuple[Any, ...], seeded: Seeded, session: dict[str, Any]
) -> None:
    ran: list[str] = []

    def acknowledge() -> None:
        ran.append("acknowledge")
        alerts.acknowledge(seeded.store, seeded.incident_id, "viewer")

    viewer = User("viewer", roles, "viewer")
    assert not act(viewer, "acknowledge", seeded.incident_id, acknowledge, "via a forged call")
    assert ran == []
    assert session["_flash"] == ("error", "你的角色不能处理事件。")
    assert alerts.get_incident(seeded.store, seeded.incident_id).status == "open"
    assert not [a for a in recent_actions(seeded.store) if a.action.startswith("incident.")]


def test_a_role_that_may_act_acts_and_is_logged(seeded: Seeded, session: dict[str, Any]) -> None:
    oncall = User("lin", ("oncall",), "lin")

    def acknowledge() -> None:
        alerts.acknowledge(seeded.store, seeded.incident_id, oncall.name)

    assert act(oncall, "acknowledge", seeded.incident_id, acknowledge, "by hand")
    assert session["_flash"][0] == "success"
    assert alerts.get_incident(seeded.store, seeded.incident_id).status == "acknowledged"
    logged = [(a.user, a.action) for a in recent_actions(seeded.store)]
    assert ("lin", "incident.acknowledge") in logged
