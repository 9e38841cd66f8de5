"""Store writes that wait for the store, and give up on a record that can never be written.

A store that is away (down, locked, unreachable) is waited for: the write is
retried with a growing pause, for as long as it takes, and nothing is dropped.
A write the store refuses for what is written (a value it cannot hold, a bug
meeting one odd record) would fail the same way for ever and stall its
partition behind it; after ``poison_after`` such refusals in a row the caller
is told to set the record aside (a dead letter, with the reason) and go on.

The worker's agents (asyncio) and the alert service (a thread) share this policy.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Errors that say the store is away, not that the write is wrong: wait and retry.
AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, OSError)


def store_away(exc: BaseException) -> bool:
    """Whether ``exc`` says the store is away (retry) rather than refusing what is written."""
    return isinstance(exc, AWAY)


@dataclass
class WriteAttempts:
    """The failures of one write so far: how long to wait, or that it is poison.

    >>> attempts = WriteAttempts("signals", poison_after=2)
    >>> attempts.failed(ValueError("no"))
    0.5
    >>> attempts.failed(ValueError("no")) is None  # refused twice: set it aside
    True
    """

    name: str
    poison_after: int = 3
    first_delay: float = 0.5
    max_delay: float = 30.0
    refused: int = 0  # refusals in a row (a store away in between starts the count again)
    _delay: float = field(default=0.0, repr=False)

    def failed(self, exc: BaseException) -> float | None:
        """Seconds to wait before trying again, or None when the write is poison."""
        if store_away(exc):
            self.refused = 0
        else:
            self.refused += 1
            if self.refused >= self.poison_after:
                log.error(
                    "%s: the store refused this write %d times (%r); setting it aside",
                    self.name,
                    self.refused,
                    exc,
                )
                return None
        delay = self._delay or self.first_delay
        self._delay = min(delay * 2, self.max_delay)
        log.warning("%s: store write failed (%r); retrying in %.1fs", self.name, exc, delay)
        return delay


def retry_while_away(
    write: Callable[[], T],
    name: str,
    *,
    give_up_after_s: float = 300.0,
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    """Run ``write`` (on this thread) until it succeeds while the store is away, for at most
    ``give_up_after_s``; a refusal, or the store still away then, is raised.

    For a record of something already done outside the store (a notification sent): lost,
    it would be done again once the store is back.
    """
    attempts = WriteAttempts(name)
    deadline = time.monotonic() + give_up_after_s
    while True:
        try:
            return write()
        except Exception as exc:
            left = deadline - time.monotonic()
            if not store_away(exc) or left <= 0:
                raise
            sleep(min(attempts.failed(exc) or attempts.max_delay, left))


__all__ = ["AWAY", "WriteAttempts", "retry_while_away", "store_away"]
