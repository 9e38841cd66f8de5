"""Dashboard: sign-in with Argon2 password hashes, and what each role may see and do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboard.settings import Role, UserSpec

PAGES = ("overview", "complaints", "incidents", "improvements", "products", "health")

#: The views each role works from.
ROLE_PAGES: dict[Role, frozenset[str]] = {
    "manager": frozenset(PAGES),
    "oncall": frozenset({"overview", "complaints", "incidents", "health"}),
    "product": frozenset({"overview", "complaints", "improvements", "products"}),
    "admin": frozenset(PAGES),
}
#: What each role may change: incidents (acknowledge, assign, note, checklist, resolve)
#: and improvement actions.
ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    "manager": frozenset({"incident", "improvement"}),
    "oncall": frozenset({"incident"}),
    "product": frozenset({"improvement"}),
    "admin": frozenset({"incident", "improvement"}),
}

_hasher = PasswordHasher()
#: Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    """A signed-in user."""

    name: str
    roles: tuple[Role, ...]
    display: str

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


def authenticate(users: Mapping[str, UserSpec], name: str, password: str) -> User | None:
    """The user if ``password`` matches the configured hash, else None."""
    spec = users.get(name.strip())
    try:
        _hasher.verify(spec.password_hash if spec else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if spec is None:
        return None
    return User(name=name.strip(), roles=spec.roles, display=spec.name or name.strip())
