"""Dashboard: acting on the signed acknowledge/resolve links that alert messages carry."""

from __future__ import annotations

from datetime import datetime

from alerts import AlertsSettings, LinkAction, LinkSigner, link_secret
from radar.settings import CoreSettings


def verify_link(token: str, incident_id: str, action: str, now: datetime) -> LinkAction:
    """The action the link allows; raises ``InvalidToken`` when forged, expired or altered."""
    core = CoreSettings()
    signer = LinkSigner(link_secret(AlertsSettings(), core), core.dashboard_url)
    allowed = signer.verify(token, now, incident_id=incident_id)
    if allowed.action != action:
        from alerts import InvalidToken

        msg = f"this link allows {allowed.action}, not {action}"
        raise InvalidToken(msg)
    return allowed
