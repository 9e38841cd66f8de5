"""Detectors: a source's health from its heartbeats (down, or silent past a timeout).

A connector says it is alive on ``feedback.heartbeats``. A source that reports
``down``, or whose last beat is older than the timeout, is down: that raises
``source_down`` and holds back silence signals for the keys it feeds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from radar.events import Heartbeat

Change = Literal["firing", "resolved"]


@dataclass
class SourceHealth:
    """What is known of one source."""

    source: str
    channel: str
    last_beat: float  # epoch seconds of the latest heartbeat
    reported: str = "ok"
    down_since: float | None = None
    message: str | None = None

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def beat(self, heartbeat: Heartbeat) -> Change | None:
        """Take a heartbeat; returns the change to report, if any."""
        at = heartbeat.at.timestamp()
        if at < self.last_beat:
            return None  # an older beat delivered late
        self.last_beat, self.reported, self.message = at, heartbeat.status, heartbeat.message
        if heartbeat.status == "down" and self.down_since is None:
            self.down_since = at
            return "firing"
        if heartbeat.status != "down" and self.down_since is not None:
            self.down_since = None
            return "resolved"
        return None

    def check(self, now: datetime, timeout_s: float) -> Change | None:
        """Down when no beat came for ``timeout_s``; returns "firing" once."""
        if self.down_since is None and now.timestamp() - self.last_beat > timeout_s:
            self.down_since = self.last_beat
            self.message = f"no heartbeat for {timeout_s:.0f}s"
            return "firing"
        return None

    @classmethod
    def first(cls, heartbeat: Heartbeat) -> tuple[SourceHealth, Change | None]:
        health = cls(heartbeat.source, heartbeat.channel, last_beat=float("-inf"))
        return health, health.beat(heartbeat)

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SourceHealth:
        return cls(**state)
