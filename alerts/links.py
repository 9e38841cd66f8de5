"""Alerts: dashboard links for incidents, and signed, expiring tokens for acknowledge/resolve links.

A token is ``<payload>.<signature>`` in URL-safe base64: the payload names the
incident, the action and the expiry (epoch seconds); the signature is
HMAC-SHA256 over the payload with the link secret. The dashboard calls
:meth:`LinkSigner.verify` before acting on a link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from radar.errors import RadarError

ACTIONS = ("acknowledge", "resolve")


class InvalidToken(RadarError):
    """A link token is malformed, forged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class LinkAction:
    """What a verified token allows."""

    incident_id: str
    action: str
    expires_at: datetime


class LinkSigner:
    """Builds incident links for one dashboard and signs or checks action tokens."""

    def __init__(self, secret: bytes, dashboard_url: str, ttl: timedelta = timedelta(hours=72)):
        if len(secret) < 16:
            msg = "the link secret must be at least 16 bytes; set RADAR_ALERTS_LINK_SECRET"
            raise ValueError(msg)
        self.secret = secret
        self.base = dashboard_url.rstrip("/")
        self.ttl = ttl

    def incident_url(self, incident_id: str) -> str:
        return f"{self.base}/incidents?{urlencode({'incident': incident_id})}"

    def token(self, incident_id: str, action: str, now: datetime) -> str:
        if action not in ACTIONS:
            msg = f"unknown action {action!r}; use one of {ACTIONS}"
            raise ValueError(msg)
        expires = int((now + self.ttl).timestamp())
        payload = json.dumps({"i": incident_id, "a": action, "e": expires}, separators=(",", ":"))
        body = _b64(payload.encode("utf-8"))
        return f"{body}.{_b64(self._sign(body))}"

    def action_url(self, incident_id: str, action: str, now: datetime) -> str:
        query = urlencode(
            {
                "incident": incident_id,
                "action": action,
                "token": self.token(incident_id, action, now),
            }
        )
        return f"{self.base}/incidents?{query}"

    def verify(self, token: str, now: datetime, *, incident_id: str | None = None) -> LinkAction:
        """The action a token allows; raises :class:`InvalidToken` if forged, altered or expired."""
        body, _, signature = token.partition(".")
        try:
            given = _unb64(signature)
            data = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError) as exc:
            msg = "this link is damaged; open the incident from the dashboard instead"
            raise InvalidToken(msg) from exc
        if not hmac.compare_digest(given, self._sign(body)):
            msg = "this link was not issued by this Radar (bad signature)"
            raise InvalidToken(msg)
        if not isinstance(data, dict) or data.get("a") not in ACTIONS:
            msg = "this link names no known action"
            raise InvalidToken(msg)
        expires = datetime.fromtimestamp(int(data["e"]), tz=UTC)
        if now >= expires:
            msg = f"this link expired at {expires:%Y-%m-%d %H:%M UTC}; act from the dashboard"
            raise InvalidToken(msg)
        if incident_id is not None and data.get("i") != incident_id:
            msg = "this link belongs to another incident"
            raise InvalidToken(msg)
        return LinkAction(str(data["i"]), str(data["a"]), expires)

    def _sign(self, body: str) -> bytes:
        return hmac.new(self.secret, body.encode("ascii"), hashlib.sha256).digest()
