"""Detectors: a source's health from its heartbeats, and when (in event time) it was down.

A connector says it is alive on ``feedback.heartbeats``. Two clocks matter:

* **Is it down now?** In processing time: a source that reports ``down``, or
  whose last beat *arrived* longer than the timeout ago, is down. That raises
  ``source_down``. A backfill or a replay delivers beats stamped hours in the
  past within seconds; judged by their stamps every source would look down.
* **Was it down during a window?** In event time: the stretches between a
  ``down`` beat and the next good one (or since the last beat, while it is
  timed out) are kept, so a silence judged on a past window is held back
  exactly when a source feeding the key was down then, replay or not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from radar.events import Heartbeat

Change = Literal["firing", "resolved"]
#: Down stretches kept per source (the oldest go first).
MAX_PERIODS = 20


@dataclass
class SourceHealth:
    """What is known of one source."""

    source: str
    channel: str
    last_beat: float  # event time (epoch s) of the latest heartbeat
    last_seen: float = 0.0  # processing time (epoch s) the latest heartbeat arrived
    reported: str = "ok"
    down_since: float | None = None  # event time the current outage began
    message: str | None = None
    periods: list[list[float | None]] = field(default_factory=list)  # [start, end or None]

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def beat(self, heartbeat: Heartbeat, received: float) -> Change | None:
        """Take a heartbeat that arrived at ``received``; returns the change to report."""
        self.last_seen = max(self.last_seen, received)
        at = heartbeat.at.timestamp()
        if at < self.last_beat:
            return None  # an older beat delivered late: alive, but nothing new
        self.last_beat, self.reported, self.message = at, heartbeat.status, heartbeat.message
        if heartbeat.status == "down":
            if self.down_since is None:
                self._open(at)
                return "firing"
            return None
        if self.down_since is not None:
            self._close(at)
            return "resolved"
        return None

    def check(self, now: float, timeout_s: float) -> Change | None:
        """Down when no beat arrived for ``timeout_s`` of processing time; "firing" once."""
        if self.down_since is None and now - self.last_seen > timeout_s:
            self._open(self.last_beat)
            self.message = f"no heartbeat for {timeout_s:.0f}s"
            return "firing"
        return None

    def _open(self, at: float) -> None:
        self.down_since = at
        self.periods = [*self.periods, [at, None]][-MAX_PERIODS:]

    def _close(self, at: float) -> None:
        self.down_since = None
        if self.periods and self.periods[-1][1] is None:
            self.periods[-1] = [self.periods[-1][0], at]

    def down_during(self, start: float, end: float) -> bool:
        """Whether the source was down at any time in ``[start, end)`` of event time."""
        return any(
            begin is not None and begin < end and (until is None or until > start)
            for begin, until in self.periods
        )

    def forget_before(self, horizon: float) -> None:
        """Drop down stretches that ended before ``horizon`` (event time)."""
        self.periods = [p for p in self.periods if p[1] is None or p[1] >= horizon]

    @classmethod
    def first(cls, heartbeat: Heartbeat, received: float) -> tuple[SourceHealth, Change | None]:
        health = cls(heartbeat.source, heartbeat.channel, last_beat=float("-inf"))
        return health, health.beat(heartbeat, received)

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SourceHealth:
        return cls(**state)
