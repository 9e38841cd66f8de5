"""Alerts: which shops an incident concerns, so a user given some shops sees only theirs.

An incident concerns the shops its key names and those its signals' keys name
(a detection key with ``shop``, such as ``topic+shop``). A user limited to some
shops sees and acts on an incident only when every shop it concerns is theirs:
an incident that names no shop (an overall spike, a region, a source going
down) spans every shop, and one grouped without ``shop`` may hold the signals
of several; either way its evidence holds other shops' customers.
"""

from __future__ import annotations

from collections.abc import Sequence

from alerts.incidents import Incident


def incident_shops(incident: Incident) -> set[str]:
    """The shops the incident's key and its signals' keys name."""
    shops = {str(incident.key["shop"])} if incident.key.get("shop") else set()
    shops.update(key["shop"] for key in incident.signal_keys() if key.get("shop"))
    return shops


def visible_to(incident: Incident, shops: Sequence[str] | None) -> bool:
    """Whether a reader limited to ``shops`` (None: every shop) may see and act on it: the
    incident names a shop, and none but theirs."""
    if shops is None:
        return True
    concerned = incident_shops(incident)
    return bool(concerned) and concerned <= set(shops)


def visible_incidents(incidents: Sequence[Incident], shops: Sequence[str] | None) -> list[Incident]:
    return [i for i in incidents if visible_to(i, shops)]


def concerning(incidents: Sequence[Incident], chosen: Sequence[str]) -> list[Incident]:
    """The incidents that name one of the ``chosen`` shops (all of them when none is chosen):
    a shop filter, not a scope (an incident of two shops is listed under each)."""
    if not chosen:
        return list(incidents)
    wanted = set(chosen)
    return [i for i in incidents if incident_shops(i) & wanted]


__all__ = ["concerning", "incident_shops", "visible_incidents", "visible_to"]
