"""Alerts: which shops an incident concerns, so a user given some shops sees only theirs.

An incident concerns the shops its key names and those its signals' keys name
(a detection key with ``shop``, such as ``shop+topic``). An incident that names
no shop (an overall spike, a region, a source going down) spans every shop: a
user limited to some shops does not see it, because its evidence holds other
shops' customers.
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
    """Whether a reader limited to ``shops`` (None: every shop) may see and act on it."""
    if shops is None:
        return True
    return bool(incident_shops(incident) & set(shops))


def visible_incidents(incidents: Sequence[Incident], shops: Sequence[str] | None) -> list[Incident]:
    return [i for i in incidents if visible_to(i, shops)]


__all__ = ["incident_shops", "visible_incidents", "visible_to"]
