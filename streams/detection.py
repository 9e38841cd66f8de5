"""Detection stage: merge partition partials per key, close windows by event time, run detectors.

Counting happens per source partition (``streams.counting``); the partials of
one key meet here, on the partition of ``{app}-windows`` that the key hashes
to. Every record here is absolute (a partition's whole cell, a watermark), so
redelivery changes nothing. A window closes when the watermark (the slowest
active source partition's latest event time) passes its end plus the allowed
lateness; then each key's detectors see the merged count, zero included.
State lives in one mapping (a Faust table in the worker), keys prefixed by
the detection partition, so it moves and recovers with that partition.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from radar.events import Heartbeat, Signal
from streams import shift as shift_mod
from streams import silence as silence_mod
from streams import spikes as spikes_mod
from streams.crisis import CrisisTracker
from streams.signals import at, signal_id, window_signal
from streams.sources import SourceHealth
from streams.unanswered import ThreadTracker
from streams.windows import SIZES, dim_kind, merge_cells

#: Windows closed per call at most; a long jump in event time is caught up over several calls.
MAX_CLOSE_PER_CALL = 2016


@dataclass(frozen=True)
class DetectionSettings:
    """Which detector runs on which windows, and how time advances."""

    lateness_s: float = 300.0
    idle_s: float = 30.0  # how long (wall time) a partition's "caught up" claim holds
    spike: spikes_mod.SpikeSettings = field(default_factory=spikes_mod.SpikeSettings)
    shift: shift_mod.ShiftSettings = field(default_factory=shift_mod.ShiftSettings)
    silence: silence_mod.SilenceSettings = field(default_factory=silence_mod.SilenceSettings)
    spike_window: str = "5m"
    shift_window: str = "1h"
    silence_window: str = "1h"
    silence_kinds: tuple[str, ...] = ("channel", "product")
    sla_s: dict[str, float] = field(default_factory=dict)  # per channel; default 6 h
    heartbeat_timeout_s: float = 900.0
    crisis_quiet_s: float = 6 * 3600.0  # a crisis ends after this long without a new item


WindowTotal = tuple[str, str, int, dict[str, Any]]  # (dim, size, start ms, merged cell)


class Detection:
    """The detection stage over one state mapping; every method returns what to publish."""

    def __init__(
        self,
        state: MutableMapping[str, Any],
        settings: DetectionSettings | None = None,
        *,
        now: Callable[[], datetime],
        wall: Callable[[], float] = time.monotonic,
        sources: int = 1,
    ) -> None:
        self.state = state
        self.settings = settings or DetectionSettings()
        self.now = now
        self.wall = wall
        self.sources = sources  # partitions of feedback.scored: each must pass a window
        self.heard: dict[tuple[int, int], float] = {}  # (detection p, source p) → wall time
        self.crises = CrisisTracker(state, self.settings.crisis_quiet_s, now)
        self.threads = ThreadTracker(state, self.settings.sla_s, now)

    # -- partials and totals ------------------------------------------------------------------
    def on_partial(
        self, mp: int, p: int, size: str, start: int, dim: str, cell: dict[str, Any]
    ) -> WindowTotal | None:
        """Take a partition's cell; returns the key's new total for the store.

        A cell of a window already forgotten here (a replay, a partition taken
        over) returns None: its total was stored when the window was whole,
        and one partition's part must not overwrite it.
        """
        clock = self._clock(mp)
        if start < clock.get("horizon", start):
            return None
        self.sources = max(self.sources, p + 1)
        key = part_key(mp, size, start, p, dim)
        old = self.state.get(key)
        if old is None or old.get("marker", -1) <= cell.get("marker", -1):
            self.state[key] = cell  # one record per part: a changelog record stays small
        dims_key = f"{mp}|dims"
        dims = self.state.get(dims_key) or {}
        if dim not in dims or start < dims[dim]:
            self.state[dims_key] = {**dims, dim: min(start, dims.get(dim, start))}
        if size not in clock["first"] or start < clock["first"][size]:
            clock["first"][size] = start
            self.state[f"{mp}|clock"] = clock
        return dim, size, start, self.total(mp, size, start, dim)

    def total(self, mp: int, size: str, start: int, dim: str) -> dict[str, Any]:
        """The key's window: the sum of every source partition's part (zero when none)."""
        parts = (self.state.get(part_key(mp, size, start, p, dim)) for p in range(self.sources))
        return merge_cells(part for part in parts if part is not None)

    # -- time ---------------------------------------------------------------------------------
    def _clock(self, mp: int) -> dict[str, Any]:
        clock = self.state.get(f"{mp}|clock")
        if clock is None:
            return {"wm": {}, "idle": {}, "closed": {}, "first": {}, "global": None}
        copied = {k: (dict(v) if isinstance(v, dict) else v) for k, v in clock.items()}
        copied.setdefault("idle", {})
        return copied

    def on_watermark(self, mp: int, p: int, wm: int | None, *, idle: bool = False) -> list[Signal]:
        """A source partition's progress: its latest event time, and whether it is caught up.

        The counting side says ``idle`` when it has processed (and published)
        every record of the partition; a busy partition says so after each batch.
        """
        clock = self._clock(mp)
        if wm is not None:
            clock["wm"][str(p)] = max(wm, clock["wm"].get(str(p), wm))
        clock["idle"][str(p)] = idle
        self.heard[(mp, p)] = self.wall()
        self.state[f"{mp}|clock"] = clock
        return self.advance(mp)

    def global_watermark(self, mp: int, clock: dict[str, Any]) -> int | None:
        """Event time every source partition has passed (a caught-up partition holds nothing).

        A partition not heard from yet holds time back, and so does one whose
        "caught up" claim is older than ``idle_s``: its owner may have died
        with records still to count. Time never goes back.
        """
        previous = clock["global"]
        now = self.wall()
        marks = []
        for p in range(self.sources):
            heard = self.heard.get((mp, p))
            if (
                clock["idle"].get(str(p))
                and heard is not None
                and now - heard < self.settings.idle_s
            ):
                continue
            if str(p) not in clock["wm"]:
                return previous
            marks.append(clock["wm"][str(p)])
        known = list(clock["wm"].values())
        if not known:
            return previous
        candidate = min(marks) if marks else max(known)
        return candidate if previous is None else max(previous, candidate)

    def advance(self, mp: int) -> list[Signal]:
        """Close every window the watermark has passed; returns the signals that raised."""
        clock = self._clock(mp)
        wm = self.global_watermark(mp, clock)
        if wm is None:
            return []
        clock["global"] = wm
        lateness = int(self.settings.lateness_s * 1000)
        signals: list[Signal] = []
        closed_any = False
        for size, size_s in SIZES.items():
            size_ms = size_s * 1000
            last = clock["closed"].get(size)
            start = last + size_ms if last is not None else clock["first"].get(size)
            count = 0
            while (
                start is not None
                and start + size_ms + lateness <= wm
                and count < MAX_CLOSE_PER_CALL
            ):
                signals += self.close_window(mp, size, start)
                clock["closed"][size] = start
                start += size_ms
                count += 1
                closed_any = True
        if closed_any:
            clock["horizon"] = wm - lateness - 2 * max(SIZES.values()) * 1000
        self.state[f"{mp}|clock"] = clock
        signals += self.check_threads(mp, wm / 1000)
        signals += self.check_crises(mp, wm / 1000)
        if closed_any:
            self.expire(mp, clock["horizon"])
        return signals

    # -- detectors ----------------------------------------------------------------------------
    def close_window(self, mp: int, size: str, start: int) -> list[Signal]:
        s = self.settings
        runs = [k for k, w in (("spike", s.spike_window), ("shift", s.shift_window)) if w == size]
        if s.silence_window == size:
            runs.append("silence")
        if not runs:
            return []
        dims = self.state.get(f"{mp}|dims") or {}
        down = self._down_sources(mp)
        signals: list[Signal] = []
        for dim, since in sorted(dims.items()):
            if since > start:
                continue
            cell = self.total(mp, size, start, dim)
            dkey = f"{mp}|d|{dim}"
            det = dict(self.state.get(dkey) or {})
            det["sources"] = sorted(set(det.get("sources", [])) | set(cell["sources"]))[:50]
            for run in runs:
                signal = self._run(run, det, dim, size, start, cell, down)
                if signal is not None:
                    signals.append(signal)
            self.state[dkey] = det
        return signals

    def _run(
        self,
        run: str,
        det: dict[str, Any],
        dim: str,
        size: str,
        start: int,
        cell: dict[str, Any],
        down: dict[str, str],
    ) -> Signal | None:
        s, size_s, ts = self.settings, SIZES[size], start / 1000
        common: dict[str, Any] = {
            "window_start": ts,
            "window_s": size_s,
            "cell": cell,
            "detected_at": self.now(),
        }
        if run == "spike":
            spike = spikes_mod.SpikeDetector(size_s, s.spike, det.get("spike"))
            r = spike.observe(ts, cell["complaints"])
            det["spike"] = spike.to_state()
            if r.status is None or r.episode_start is None:
                return None
            details = {"p_value": r.p_value, "dispersion": round(r.dispersion, 4)}
            details |= {"reach_weighted": round(cell["reach_complaints"], 3), "volume": cell["n"]}
            return window_signal(
                "spike", dim, status=r.status, episode_start=r.episode_start, observed=r.observed,
                expected=r.expected, score=r.score, statistic=spikes_mod.STATISTIC,
                details=details, **common,
            )  # fmt: skip
        if run == "shift":
            shift = shift_mod.SentimentShiftDetector(s.shift, det.get("shift"))
            q = shift.observe(ts, cell["n"], cell["negatives"], cell["sentiment_sum"])
            det["shift"] = shift.to_state()
            if q.status is None or q.episode_start is None:
                return None
            details = {"z": round(q.z, 3), "volume": cell["n"]}
            details |= {"mean_sentiment": round(q.mean_sentiment, 4)}
            details |= {"usual_sentiment": round(q.usual_sentiment, 4)}
            return window_signal(
                "sentiment_shift", dim, status=q.status, episode_start=q.episode_start,
                observed=q.observed, expected=q.expected, score=q.score,
                statistic=shift_mod.STATISTIC, details=details, **common,
            )  # fmt: skip
        if dim_kind(dim) not in s.silence_kinds:
            return None
        behind = self._behind(dim, det, down)
        silence = silence_mod.SilenceDetector(size_s, s.silence, det.get("silence"))
        r2 = silence.observe(ts, cell["n"], source_down=bool(behind))
        det["silence"] = silence.to_state()
        if r2.status is None or r2.episode_start is None:
            return None
        return window_signal(
            "silence", dim, status=r2.status, episode_start=r2.episode_start,
            observed=r2.observed, expected=r2.expected, score=r2.score,
            statistic=silence_mod.STATISTIC, details={"p_value": r2.p_value}, **common,
        )  # fmt: skip

    def _behind(self, dim: str, det: dict[str, Any], down: dict[str, str]) -> list[str]:
        """Down sources that feed ``dim`` (by channel, or by the sources seen under it)."""
        kind, _, value = dim.partition("=")
        return [
            src
            for src, channel in down.items()
            if (kind == "channel" and channel == value) or src in det.get("sources", [])
        ]

    # -- sources ------------------------------------------------------------------------------
    def _down_sources(self, mp: int) -> dict[str, str]:
        prefix = f"{mp}|s|"
        return {
            v["source"]: v["channel"]
            for k, v in list(self.state.items())
            if k.startswith(prefix) and v.get("down_since") is not None
        }

    def on_heartbeat(self, mp: int, beat: Heartbeat, *, partitions: int) -> list[Signal]:
        """Track a source's health here; the owner partition reports changes."""
        key = f"{mp}|s|{beat.source}"
        stored = self.state.get(key)
        if stored is None:
            health, change = SourceHealth.first(beat)
        else:
            health = SourceHealth.from_state(stored)
            change = health.beat(beat)
        self.state[key] = health.to_state()
        if change is None or owner(beat.source, partitions) != mp:
            return []
        return [self._source_signal(health, change)]

    def check_sources(self, mp: int, *, partitions: int) -> list[Signal]:
        """Sources silent past the heartbeat timeout (wall time) are down."""
        signals = []
        prefix = f"{mp}|s|"
        for key, value in list(self.state.items()):
            if not key.startswith(prefix):
                continue
            health = SourceHealth.from_state(value)
            change = health.check(self.now(), self.settings.heartbeat_timeout_s)
            if change is not None:
                self.state[key] = health.to_state()
                if owner(health.source, partitions) == mp:
                    signals.append(self._source_signal(health, change))
        return signals

    def _source_signal(self, health: SourceHealth, change: str) -> Signal:
        since = health.down_since if health.down_since is not None else health.last_beat
        return Signal(
            id=signal_id("source_down", health.source, since if change == "firing" else 0),
            type="source_down",
            key={"source": health.source, "channel": health.channel},
            status="firing" if change == "firing" else "resolved",
            window_start=at(since),
            window_end=at(health.last_beat),
            observed=0.0 if change == "firing" else 1.0,
            expected=1.0,
            score=1.0 if change == "firing" else 0.0,
            statistic="heartbeat_status",
            severity=2 if change == "firing" else 0,
            detected_at=self.now(),
            details={"reported": health.reported, "message": health.message},
        )

    # -- crises and unanswered complaints (their trackers keep their state here too) ----------
    def on_crisis(self, mp: int, record: dict[str, Any]) -> list[Signal]:
        return self.crises.on_crisis(mp, record)

    def check_crises(self, mp: int, now_s: float) -> list[Signal]:
        return self.crises.check(mp, now_s)

    def on_thread(self, mp: int, record: dict[str, Any]) -> list[Signal]:
        return self.threads.on_thread(mp, record)

    def check_threads(self, mp: int, now_s: float) -> list[Signal]:
        return self.threads.check(mp, now_s)

    # -- housekeeping -------------------------------------------------------------------------
    def expire(self, mp: int, horizon_ms: int) -> None:
        prefix = f"{mp}|w|"
        for key in [k for k in list(self.state) if k.startswith(prefix)]:
            if int(key.split("|", 5)[3]) < horizon_ms:
                del self.state[key]


def part_key(mp: int, size: str, start: int, p: int, dim: str) -> str:
    """State key of source partition ``p``'s part of a key's window."""
    return f"{mp}|w|{size}|{start}|{p}|{dim}"


def owner(source: str, partitions: int) -> int:
    """The detection partition that reports a source's health (the others only track it)."""
    return zlib.crc32(source.encode("utf-8")) % max(partitions, 1)
