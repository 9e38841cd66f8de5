"""HTTP API: who is calling (a bearer token per client), what their role lets them do, which
shops they see; and the refusal to listen beyond loopback without strong tokens.

A token is sent like the push endpoints take theirs (``X-Radar-Token`` or
``Authorization: Bearer``). Only its SHA-256 needs to be configured
(``token_sha256``), so a settings file never holds a usable token; the digest of
what a caller sent is compared with every client's in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from api.settings import ApiClientSpec, ApiRole, ApiSettings
from ingest.intake import TOKEN_HEADER
from radar.errors import ConfigError

log = logging.getLogger(__name__)

#: Shortest token taken on an address other machines can reach (as the push endpoints).
MIN_TOKEN_CHARS = 32
#: What each role may do: ``read`` (events, figures, signals, incidents, exports) and
#: ``incident`` (acknowledge, assign, note, checklist, resolve), as the dashboard's on-call.
ROLE_ACTIONS: dict[ApiRole, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "oncall": frozenset({"read", "incident"}),
    "admin": frozenset({"read", "incident", "admin"}),
}


@dataclass(frozen=True)
class Caller:
    """An authenticated client: its name (the actor on timelines and in the audit log), its
    role and the shops it may see (None: every shop)."""

    name: str
    role: ApiRole
    shops: tuple[str, ...] | None = None

    def may(self, action: str) -> bool:
        return action in ROLE_ACTIONS[self.role]


def digest(token: str) -> str:
    """The hex SHA-256 of a token (what ``token_sha256`` holds)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token() -> str:
    """A random token of 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


def presented_token(headers: Mapping[str, str]) -> str | None:
    """The token a request carries, as the push endpoints read it."""
    given = headers.get(TOKEN_HEADER)
    if given:
        return given.strip()
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class TokenCheck:
    """Tells which configured client a token belongs to."""

    def __init__(self, clients: Mapping[str, ApiClientSpec]) -> None:
        self._clients: list[tuple[bytes, Caller]] = []
        for name, spec in clients.items():
            hexed = digest(spec.token.get_secret_value()) if spec.token else spec.token_sha256
            shops = tuple(s for s in spec.shops if s.strip()) if spec.shops is not None else None
            self._clients.append((bytes.fromhex(str(hexed)), Caller(name, spec.role, shops)))

    def identify(self, headers: Mapping[str, str]) -> Caller | None:
        """The caller whose token the request carries, else None."""
        token = presented_token(headers)
        if token is None:
            return None
        given = hashlib.sha256(token.encode("utf-8", "replace")).digest()
        found: Caller | None = None
        for expected, caller in self._clients:  # every one compared: no early exit to time
            if hmac.compare_digest(given, expected):
                found = caller
        return found


def loopback(host: str) -> bool:
    if host in {"localhost", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name that resolves elsewhere, or every address ("", "0.0.0.0")


def check_exposure(settings: ApiSettings) -> None:
    """Refuse to listen where others can reach the API with a guessable token.

    On loopback a short token is allowed with a warning; no clients at all
    means every request is refused, which is safe but useless, so it is said.
    """
    if not settings.clients:
        log.warning("no API clients configured (RADAR_API_CLIENTS): every request is refused")
    short = sorted(
        name
        for name, spec in settings.clients.items()
        if spec.token is not None and len(spec.token.get_secret_value()) < MIN_TOKEN_CHARS
    )
    if not short:
        return
    if loopback(settings.host):
        log.warning("API clients with tokens under %d characters: %s", MIN_TOKEN_CHARS, short)
        return
    msg = (
        f"refusing to listen on {settings.host}: the tokens of {', '.join(short)} are shorter "
        f"than {MIN_TOKEN_CHARS} characters; make one with `radar api token`, or listen on "
        "127.0.0.1"
    )
    raise ConfigError(msg)


__all__ = [
    "MIN_TOKEN_CHARS",
    "ROLE_ACTIONS",
    "Caller",
    "TokenCheck",
    "check_exposure",
    "digest",
    "new_token",
    "presented_token",
]
