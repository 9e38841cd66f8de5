"""Detectors: one episode per sustained incident (fires once, updates, resolves with hysteresis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from streams.plain import plain

Status = Literal["firing", "resolved"]


@dataclass
class Episode:
    """Whether a key is in an incident, since when, and how it ends.

    It opens when a score reaches ``fire_at`` and stays open (one signal,
    updated) until the score stays below ``resolve_below`` for
    ``resolve_after`` windows in a row.
    """

    fire_at: float
    resolve_below: float
    resolve_after: int = 3
    open_since: float | None = None
    started: float | None = None
    windows: int = 0
    quiet: int = 0
    peak: float = 0.0
    ended: float | None = None  # start of the window that resolved the latest episode

    @property
    def is_open(self) -> bool:
        return self.open_since is not None

    def step(self, window_start: float, score: float) -> Status | None:
        """Feed one window's score; returns what to report for it (None: nothing).

        :attr:`started` keeps the start of the latest episode, also after it resolved,
        and :attr:`ended` the window that resolved it.
        """
        if self.open_since is None:
            if score >= self.fire_at:
                self.open_since = self.started = window_start
                self.windows, self.quiet, self.peak = 1, 0, score
                return "firing"
            return None
        self.windows += 1
        self.peak = max(self.peak, score)
        self.quiet = self.quiet + 1 if score < self.resolve_below else 0
        if self.quiet >= self.resolve_after:
            self.open_since = None
            self.ended = window_start
            return "resolved"
        return "firing"

    def to_state(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Episode:
        return cls(**state)
