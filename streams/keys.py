"""Detection: which keys a detection partition tracks, bounded by a heavy-hitters guard.

Every key an event is counted under gets its window totals stored, but only
*tracked* keys run detectors, and each tracked key keeps detector state. With
combinations such as ``topic × product`` the number of keys grows with the
catalogue, so a partition tracks at most ``max_keys``. While there is room,
every new key is tracked. When the book is full, a new key gets in only as a
heavy hitter (a window holding at least ``admit_min`` complaints), taking the
place of the lightest tracked key that is not in an episode. Keys without any
event for ``idle_s`` of event time are forgotten, so the book does not fill
with the past.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

#: Keys whose kind is always tracked (there are few of them: channels, topics, regions).
SMALL_KINDS = ("overall", "channel", "topic", "region")


@dataclass(frozen=True)
class KeyLimits:
    """How many keys a detection partition tracks, and when a key is forgotten."""

    max_keys: int = 2000
    admit_min: int = 5
    idle_s: float = 14 * 86400.0


class KeyBook:
    """The tracked keys of each detection partition: ``{mp}|dims`` → key → first window (ms).

    ``weight`` tells how heavy a tracked key is (its detectors' usual level),
    ``drop`` forgets a key's detector state; both come from the detection stage.
    """

    def __init__(
        self,
        state: MutableMapping[str, Any],
        limits: KeyLimits,
        *,
        kind: Callable[[str], str],
        weight: Callable[[int, str], float],
        busy: Callable[[int, str], bool],
        drop: Callable[[int, str], None],
    ) -> None:
        self.state = state
        self.limits = limits
        self.kind = kind
        self.weight = weight
        self.busy = busy
        self.drop = drop
        self.refused = 0  # new keys left untracked because the book was full

    def tracked(self, mp: int) -> dict[str, int]:
        return dict(self.state.get(f"{mp}|dims") or {})

    def offer(self, mp: int, dim: str, start: int, complaints: int) -> bool:
        """A key was counted in the window starting at ``start``; whether it is tracked."""
        book = self.tracked(mp)
        since = book.get(dim)
        if since is not None:
            if start < since:
                book[dim] = start
                self.state[f"{mp}|dims"] = book
            return True
        small = self.kind(dim) in SMALL_KINDS
        full = len(book) >= self.limits.max_keys and not small
        if full and (complaints < self.limits.admit_min or not self._evict_lightest(mp, book)):
            self.refused += 1
            return False
        book[dim] = start
        self.state[f"{mp}|dims"] = book
        return True

    def _evict_lightest(self, mp: int, book: dict[str, int]) -> bool:
        candidates = [
            (self.weight(mp, dim), dim)
            for dim in book
            if self.kind(dim) not in SMALL_KINDS and not self.busy(mp, dim)
        ]
        if not candidates:
            return False
        _, lightest = min(candidates)
        del book[lightest]
        self.drop(mp, lightest)
        return True

    def forget_idle(self, mp: int, now_ms: int, last_seen: Callable[[str], int | None]) -> int:
        """Forget keys without an event for ``idle_s`` (event time); returns how many."""
        book = self.tracked(mp)
        horizon = now_ms - int(self.limits.idle_s * 1000)
        idle = [
            dim
            for dim, since in book.items()
            if (last_seen(dim) or since) < horizon and not self.busy(mp, dim)
        ]
        for dim in idle:
            del book[dim]
            self.drop(mp, dim)
        if idle:
            self.state[f"{mp}|dims"] = book
        return len(idle)
