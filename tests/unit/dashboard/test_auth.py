"""Dashboard sign-in: lockouts per user and per client, bounded password checks, session ends."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from argon2 import PasswordHasher, extract_parameters

from dashboard import auth
from dashboard.auth import SignInGuard, SignInSettings, User, client_address, hash_password
from dashboard.settings import UserSpec

PASSWORD = "s3cret-pass"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def users() -> dict[str, UserSpec]:
    return {"lin": UserSpec(role="oncall", password_hash=hash_password(PASSWORD))}


def guard(clock: Clock, **settings: Any) -> SignInGuard:
    return SignInGuard(SignInSettings(**settings), clock=clock)


class TestLockout:
    def test_a_user_name_is_locked_after_its_failures_then_free_again(
        self, users: dict[str, UserSpec]
    ) -> None:
        clock = Clock()
        gate = guard(clock, signin_user_failures=3, signin_lockout_minutes=10)
        for n in range(3):
            assert gate.sign_in(users, "lin", "guess", f"10.0.0.{n}").refusal == "wrong"
        locked = gate.sign_in(users, "lin", PASSWORD, "10.0.0.9")  # the right password, too late
        assert locked.user is None and locked.refusal == "locked"
        assert 0 < locked.retry_after_s <= 600
        clock.now += 601
        signed = gate.sign_in(users, " lin ", PASSWORD, "10.0.0.9")
        assert signed.user is not None and signed.user.signed_in_at == clock.now

    def test_a_client_guessing_many_names_is_locked_others_are_not(
        self, users: dict[str, UserSpec]
    ) -> None:
        clock = Clock()
        gate = guard(clock, signin_client_failures=4)
        for n in range(4):
            gate.sign_in(users, f"user{n}", "guess", "203.0.113.7")
        assert gate.sign_in(users, "lin", PASSWORD, "203.0.113.7").refusal == "locked"
        assert gate.sign_in(users, "lin", PASSWORD, "198.51.100.2").user is not None

    def test_success_clears_the_users_count(self, users: dict[str, UserSpec]) -> None:
        gate = guard(Clock(), signin_user_failures=2)
        gate.sign_in(users, "lin", "guess", "a")
        assert gate.sign_in(users, "lin", PASSWORD, "a").user is not None
        assert gate.sign_in(users, "lin", "guess", "a").refusal == "wrong"  # 1 of 2 again


def test_at_most_the_configured_password_checks_run_at_once(
    users: dict[str, UserSpec], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Argon2 check takes 64 MiB: a hundred sign-ins at once took 6 GiB before."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow(*_args: Any) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    monkeypatch.setattr(auth, "authenticate", slow)
    gate = guard(Clock(), signin_concurrency=2, signin_client_failures=1000)
    threads = [
        threading.Thread(target=gate.sign_in, args=(users, f"u{n}", "x", f"c{n}"))
        for n in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


class TestSessions:
    def session(self, clock: Clock) -> dict[str, Any]:
        return {"user": User("lin", ("oncall",), "Lin", signed_in_at=clock.now)}

    def test_an_idle_session_ends(self) -> None:
        clock = Clock()
        gate, state = guard(clock, session_idle_minutes=30), self.session(clock)
        clock.now += 29 * 60
        assert gate.current_user(state) is not None
        clock.now += 29 * 60  # 29 minutes after the last page view: still fine
        assert gate.current_user(state) is not None
        clock.now += 31 * 60
        assert gate.current_user(state) is None and "user" not in state

    def test_a_busy_session_ends_after_its_maximum_age(self) -> None:
        clock = Clock()
        gate, state = guard(clock, session_max_hours=8), self.session(clock)
        for _ in range(8 * 4 + 1):  # a page view every 15 minutes, past 8 hours
            clock.now += 15 * 60
            seen = gate.current_user(state)
        assert seen is None

    def test_no_user_no_session(self) -> None:
        assert guard(Clock()).current_user({"user": "forged"}) is None


def test_an_unknown_name_is_checked_with_the_deployments_own_hash_costs() -> None:
    """Hashes made cheaper or dearer than the library default would time a wrong name apart
    from a wrong password if the dummy kept the default."""
    tuned = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    users = {"lin": UserSpec(role="oncall", password_hash=tuned)}
    dummy = auth._dummy_for(users)
    assert extract_parameters(dummy) == extract_parameters(tuned)
    assert auth.authenticate(users, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("headers", "peer", "client"),
    [
        ({}, "192.0.2.1", "192.0.2.1"),
        ({"X-Forwarded-For": "198.51.100.7, 10.0.0.1"}, "10.0.0.1", "198.51.100.7"),
        ({}, None, "unknown"),
    ],
)
def test_the_client_is_the_first_forwarded_address(
    headers: dict[str, str], peer: str | None, client: str
) -> None:
    assert client_address(headers, peer) == client
