"""Dashboard: one on-call action on an incident, done as the signed-in user (review L6).

The incidents page renders its action controls only for roles that may act, and
every role that sees the page may; the check here is what still refuses an action
whichever control or link reaches it, should a page ever offer one to a role that
may not. Kept out of the page script so that a test can call it with such a role.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import alerts
from dashboard import data, metrics
from dashboard.auth import User
from dashboard.resources import store
from dashboard.widgets import label, literal, t
from radar.store.audit import record_action


def refuse(kind: str, incident_id: str, exc: Exception) -> str:
    """What the user reads when ``kind`` could not be done: why, in the reader's language."""
    if isinstance(exc, alerts.InvalidTransition):
        found = alerts.find_incident(store(), incident_id)
        status = label("status", found.status) if found else "—"
        return t(
            "dashboard.incidents.cannot_change",
            incident_id=literal(incident_id),
            status=status,
            action=label("incident_action", kind),
        )
    return literal(exc)


def act(
    user: User,
    kind: str,
    incident_id: str,
    run: Callable[[], object],
    detail: str | None = None,
) -> bool:
    """Do one incident action as ``user``; log it, keep the outcome to show (``_flash``).

    A role that may not act on incidents is refused before ``run`` is called. A box
    the page disables is safe too: Streamlit drops the value a client sends for a
    disabled widget, and the store refuses a checklist change once an incident is
    resolved.
    """
    if not user.may("incident"):
        metrics.incident_action(kind, ok=False)
        st.session_state["_flash"] = ("error", t("dashboard.incidents.cannot_act"))
        return False
    try:
        run()
    except (alerts.InvalidTransition, alerts.IncidentNotFound, ValueError) as exc:
        metrics.incident_action(kind, ok=False)
        st.session_state["_flash"] = ("error", refuse(kind, incident_id, exc))
        data.clear()
        return False
    metrics.incident_action(kind, ok=True)
    record_action(store(), user.name, f"incident.{kind}", incident_id, detail)
    st.session_state["_flash"] = (
        "success",
        t(
            "dashboard.incidents.done",
            action=label("incident_action", kind),
            incident_id=literal(incident_id),
        ),
    )
    data.clear()
    return True
