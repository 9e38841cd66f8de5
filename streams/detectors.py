"""Detection: one key's detectors, kept live in memory and written to the state when it matters.

Each tracked key has a spike, a sentiment-shift and a silence detector and a
little bookkeeping (its last window with events, the sources seen under it,
the key its current spike episode is reported under). Rebuilding detectors
from the state and writing them back after every window is what a backfill
spends its time on, and every write is a changelog record. So a key's
detectors stay live here, and are written when it matters: after a window
with events, while an episode is open or changed, and for every key once an
hour of event time. A worker that dies loses at most an hour of quiet windows
of quiet keys; what fires, and when, is decided on windows that were written.

The state record carries a version: a live copy whose version differs from
the state's (another worker owned the partition meanwhile) is rebuilt.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from streams import shift as shift_mod
from streams import silence as silence_mod
from streams import spikes as spikes_mod

DETECTORS = ("spike", "shift", "silence")


@dataclass
class KeyDetectors:
    """One key's detectors (built on first use from their stored state) and bookkeeping."""

    stored: dict[str, Any]
    version: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    spike: spikes_mod.SpikeDetector | None = None
    shift: shift_mod.SentimentShiftDetector | None = None
    silence: silence_mod.SilenceDetector | None = None
    dirty: bool = False

    @classmethod
    def from_state(cls, stored: dict[str, Any] | None) -> KeyDetectors:
        stored = stored or {}
        meta = {k: v for k, v in stored.items() if k != "v" and k not in DETECTORS}
        return cls(stored=stored, version=int(stored.get("v", 0)), meta=meta)

    def spike_detector(self, step_s: float, settings: spikes_mod.SpikeSettings, tz: str) -> Any:
        if self.spike is None:
            stored = self.stored.get("spike")
            self.spike = spikes_mod.SpikeDetector(step_s, settings, stored, tz=tz)
        return self.spike

    def shift_detector(self, settings: shift_mod.ShiftSettings) -> Any:
        if self.shift is None:
            self.shift = shift_mod.SentimentShiftDetector(settings, self.stored.get("shift"))
        return self.shift

    def silence_detector(
        self, step_s: float, settings: silence_mod.SilenceSettings, tz: str
    ) -> Any:
        if self.silence is None:
            stored = self.stored.get("silence")
            self.silence = silence_mod.SilenceDetector(step_s, settings, stored, tz=tz)
        return self.silence

    def level(self) -> float:
        """The spike baseline's usual level (how heavy the key is; 0 when unknown)."""
        if self.spike is not None:
            return float(self.spike.baseline.level)
        return float((self.stored.get("spike") or {}).get("baseline", {}).get("level", 0.0))

    def live_episode(self) -> bool:
        """Whether a detector built in this process is in an episode (cheap)."""
        if self.spike is not None and self.spike.episode.is_open:
            return True
        if self.silence is not None and self.silence.episode.is_open:
            return True
        return self.shift is not None and self.shift.episode.is_open

    def in_episode(self) -> bool:
        """Whether any detector is in an episode, or a spike episode was reported (rarely
        asked: when a full key book looks for a key to drop)."""
        if self.meta.get("spike_shown"):
            return True
        state = self.to_state()
        episodes = [(state.get(name) or {}).get("episode") or {} for name in DETECTORS]
        return any(e.get("open_since") is not None for e in episodes)

    def to_state(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": self.version, **self.meta}
        live = {"spike": self.spike, "shift": self.shift, "silence": self.silence}
        for name in DETECTORS:
            detector = live[name]
            if detector is not None:
                out[name] = detector.to_state()
            elif name in self.stored:
                out[name] = self.stored[name]
        return out


class DetectorCache:
    """Live detectors per (detection partition, key) over the detection state mapping."""

    def __init__(self, state: MutableMapping[str, Any]) -> None:
        self.state = state
        self.live: dict[tuple[int, str], KeyDetectors] = {}

    @staticmethod
    def state_key(mp: int, dim: str) -> str:
        return f"{mp}|d|{dim}"

    def get(self, mp: int, dim: str) -> KeyDetectors:
        stored = self.state.get(self.state_key(mp, dim))
        version = int(stored.get("v", 0)) if stored else 0
        live = self.live.get((mp, dim))
        if live is None or live.version != version:
            live = KeyDetectors.from_state(stored)
            self.live[(mp, dim)] = live
        return live

    def save(self, mp: int, dim: str, live: KeyDetectors) -> None:
        live.version += 1
        live.dirty = False
        self.state[self.state_key(mp, dim)] = live.to_state()

    def flush(self, mp: int) -> int:
        """Write every changed key of partition ``mp``; returns how many."""
        dirty = [(dim, live) for (p, dim), live in self.live.items() if p == mp and live.dirty]
        for dim, live in dirty:
            self.save(mp, dim, live)
        return len(dirty)

    def drop(self, mp: int, dim: str) -> None:
        self.live.pop((mp, dim), None)
        self.state.pop(self.state_key(mp, dim), None)
