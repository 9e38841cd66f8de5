"""Dashboard: sign-in with Argon2 password hashes, and what each role may see and do.

Sign-in is guarded against guessing and against being used to exhaust the
server: failures are counted per user name and per client address, and past
a threshold that name or address is locked out for a while; at most a few
Argon2 verifications (64 MiB each) run at once; and a session ends after a
while idle and after a fixed time however busy (:class:`SignInSettings`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field

from dashboard.settings import Role, UserSpec
from radar.settings import RadarSettings, settings_config

log = logging.getLogger(__name__)

PAGES = (
    "overview",
    "complaints",
    "responses",
    "incidents",
    "improvements",
    "products",
    "health",
)

#: The views each role works from.
ROLE_PAGES: dict[Role, frozenset[str]] = {
    "manager": frozenset(PAGES),
    "oncall": frozenset({"overview", "complaints", "responses", "incidents", "health"}),
    "product": frozenset({"overview", "complaints", "responses", "improvements", "products"}),
    "admin": frozenset(PAGES),
}
#: What each role may change: incidents (acknowledge, assign, note, checklist, resolve,
#: and silences of up to a day that spare critical alerts), any silence (longer, or over
#: critical alerts: a crisis is not muted by one person alone) and improvement actions.
ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    "manager": frozenset({"incident", "any_silence", "improvement"}),
    "oncall": frozenset({"incident"}),
    "product": frozenset({"improvement"}),
    "admin": frozenset({"incident", "any_silence", "improvement"}),
}

_hasher = PasswordHasher()
_NOT_A_PASSWORD = "not a password of anyone"  # noqa: S105 - hashed for timing only
#: Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash(_NOT_A_PASSWORD)


class SignInSettings(RadarSettings):
    """How sign-in resists guessing and how long a session lasts (``RADAR_DASHBOARD_*``)."""

    model_config = settings_config("DASHBOARD_")
    yaml_section: ClassVar[str | None] = "dashboard"

    session_idle_minutes: float = Field(
        60.0, gt=0, description="A session without any page view this long must sign in again"
    )
    session_max_hours: float = Field(
        12.0, gt=0, description="A session ends this long after sign-in, however busy"
    )
    signin_user_failures: int = Field(
        5, ge=1, description="Failed sign-ins for one user name before it is locked out"
    )
    signin_client_failures: int = Field(
        20, ge=1, description="Failed sign-ins from one client address before it is locked out"
    )
    signin_lockout_minutes: float = Field(
        15.0, gt=0, description="How long a locked-out user name or address waits"
    )
    signin_concurrency: int = Field(
        2, ge=1, le=16, description="Password checks at once (each takes 64 MiB and a core)"
    )


@dataclass(frozen=True)
class User:
    """A signed-in user (``signed_in_at``: Unix seconds, for the session's age)."""

    name: str
    roles: tuple[Role, ...]
    display: str
    signed_in_at: float = 0.0

    def pages(self) -> frozenset[str]:
        return frozenset().union(*(ROLE_PAGES[r] for r in self.roles))

    def may(self, action: str) -> bool:
        return any(action in ROLE_ACTIONS[r] for r in self.roles)


def hash_password(password: str) -> str:
    """An Argon2id hash for the ``password_hash`` setting."""
    if len(password) < 8:
        msg = "use a password of at least 8 characters"
        raise ValueError(msg)
    return _hasher.hash(password)


#: Dummy hashes by the parameters of the configured hashes ("$argon2id$v=19$m=...,t=...,p=...").
_dummies: dict[str, str] = {}


def _dummy_for(users: Mapping[str, UserSpec]) -> str:
    """A hash with the configured hashes' parameters: a wrong name costs what a wrong password
    costs even when the deployment's hashes are tuned otherwise than the library's default."""
    for spec in users.values():
        tuned = spec.password_hash.rsplit("$", 2)[0]
        if tuned not in _dummies:
            try:
                hasher = PasswordHasher.from_parameters(extract_parameters(spec.password_hash))
            except (InvalidHashError, ValueError):
                continue
            _dummies[tuned] = hasher.hash(_NOT_A_PASSWORD)
        return _dummies[tuned]
    return _DUMMY


def authenticate(users: Mapping[str, UserSpec], name: str, password: str) -> User | None:
    """The user if ``password`` matches the configured hash, else None (no throttling)."""
    spec = users.get(name.strip())
    try:
        _hasher.verify(spec.password_hash if spec else _dummy_for(users), password)
    except (VerificationError, InvalidHashError):
        return None
    if spec is None:
        return None
    return User(name=name.strip(), roles=spec.roles, display=spec.name or name.strip())


Refusal = Literal["wrong", "locked", "busy"]

#: Streamlit's ``session_state`` (or any mapping, in tests).
Session = MutableMapping[Any, Any]


@dataclass(frozen=True)
class SignInResult:
    """A sign-in attempt: the user, or why not and when to try again."""

    user: User | None = None
    refusal: Refusal | None = None
    retry_after_s: float = 0.0


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class _Counter:
    """Recent failures by key (user name or client), forgotten after the lockout."""

    threshold: int
    lockout_s: float
    limit: int = 10_000
    failures: OrderedDict[str, _Failures] = field(default_factory=OrderedDict)

    def locked_for(self, key: str, now: float) -> float:
        entry = self.failures.get(key)
        if entry is None or now - entry.last > self.lockout_s:
            return 0.0
        return self.lockout_s - (now - entry.last) if entry.count >= self.threshold else 0.0

    def fail(self, key: str, now: float) -> None:
        entry = self.failures.pop(key, None) or _Failures()
        if now - entry.last > self.lockout_s:
            entry = _Failures()
        self.failures[key] = _Failures(entry.count + 1, now)
        while len(self.failures) > self.limit:
            self.failures.popitem(last=False)

    def forget(self, key: str) -> None:
        self.failures.pop(key, None)


class SignInGuard:
    """Sign-in for the whole server process: lockouts and a cap on concurrent checks.

    One instance serves every session (Streamlit runs sessions as threads of
    one process), so counts hold across tabs and browsers. They are kept in
    memory: a restart forgets them, which an attacker cannot cause.
    """

    def __init__(
        self, settings: SignInSettings | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings or SignInSettings()
        self.clock = clock
        lockout_s = self.settings.signin_lockout_minutes * 60
        self._users = _Counter(self.settings.signin_user_failures, lockout_s)
        self._clients = _Counter(self.settings.signin_client_failures, lockout_s)
        self._lock = threading.Lock()
        self._checks = threading.BoundedSemaphore(self.settings.signin_concurrency)

    def sign_in(
        self, users: Mapping[str, UserSpec], name: str, password: str, client: str
    ) -> SignInResult:
        """Check ``password`` unless the name or the client is locked out or the server busy."""
        name = name.strip()
        now = self.clock()
        with self._lock:
            wait = max(self._users.locked_for(name, now), self._clients.locked_for(client, now))
        if wait > 0:
            return SignInResult(refusal="locked", retry_after_s=wait)
        if not self._checks.acquire(timeout=10):
            return SignInResult(refusal="busy", retry_after_s=5.0)
        try:
            user = authenticate(users, name, password)
        finally:
            self._checks.release()
        with self._lock:
            if user is None:
                self._users.fail(name, now)
                self._clients.fail(client, now)
                log.warning("dashboard sign-in failed for %r from %r", name[:100], client)
                return SignInResult(refusal="wrong")
            self._users.forget(name)
        return SignInResult(user=User(user.name, user.roles, user.display, signed_in_at=now))

    def current_user(self, session: Session) -> User | None:
        """The session's user while its session lasts; an expired one is signed out.

        ``session`` is Streamlit's ``session_state`` (any mapping): ``user`` and
        ``seen_at`` (the last page view) are read and kept up to date there.
        """
        user = session.get("user")
        if not isinstance(user, User):
            return None
        now = self.clock()
        if user.signed_in_at <= 0:  # made by code, not by sign_in: its session starts now
            user = replace(user, signed_in_at=now)
            session["user"] = user
        seen = session.get("seen_at", user.signed_in_at)
        idle = now - float(seen) > self.settings.session_idle_minutes * 60
        old = now - user.signed_in_at > self.settings.session_max_hours * 3600
        if idle or old:
            session.pop("user", None)
            session.pop("seen_at", None)
            return None
        session["seen_at"] = now
        return user


def client_address(headers: Mapping[str, str], peer: str | None) -> str:
    """The client as the dashboard can tell: the proxy's X-Forwarded-For first, else the peer.

    Behind a reverse proxy every browser has the proxy's address; the proxy
    must set X-Forwarded-For (and the dashboard must not be reachable around it).
    """
    forwarded = headers.get("X-Forwarded-For") or headers.get("x-forwarded-for") or ""
    first = forwarded.split(",")[0].strip()
    return first or peer or "unknown"


__all__ = [
    "PAGES",
    "ROLE_ACTIONS",
    "ROLE_PAGES",
    "SignInGuard",
    "SignInResult",
    "SignInSettings",
    "User",
    "authenticate",
    "client_address",
    "hash_password",
]
