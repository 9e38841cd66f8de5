"""Detection stage: merge partition partials per key, close windows by event time, run detectors.

Counting happens per source partition (``streams.counting``); the partials of
one key meet here, on the partition of ``{app}-windows`` that the key's anchor
(its first field) hashes to, so a combination is judged beside its anchor.
Every record here is absolute (a partition's whole cell, a watermark), so
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
from streams.detectors import DetectorCache, KeyDetectors
from streams.drivers import DriverSettings, DriverTracker
from streams.emerging import EmergingDetector, EmergingSettings
from streams.explain import ExplainSettings, Reading, judge
from streams.keys import KeyBook, KeyLimits
from streams.protocol import CrisisItem, ThreadItem
from streams.signals import at, signal_id, window_signal
from streams.sources import SourceHealth
from streams.state import KeyFamily, PartKey, part_key
from streams.unanswered import ThreadTracker
from streams.windows import OVERALL, SIZES, dim_fields, dim_kind, merge_cells

#: The window emerging issues are judged on (the terms are counted in it: streams.phrases).
PHRASE_WINDOW = "1h"
#: Windows closed per call at most; a long jump in event time is caught up over several calls.
MAX_CLOSE_PER_CALL = 2016
#: Keys spikes and negative shifts are judged on: anchors (topic, product) and their
#: combinations. Channel, region and overall counts are kept, and their spikes show
#: up as the combinations that explain them.
SINGLE_SPIKE_KINDS = ("overall", "topic", "product")
SPIKE_KINDS = (*SINGLE_SPIKE_KINDS, "topic+region", "topic+product", "product+channel")


@dataclass(frozen=True)
class DetectionSettings:
    """Which detector runs on which windows, and how time advances."""

    lateness_s: float = 300.0
    idle_s: float = 30.0  # how long (wall time) a partition's "caught up" claim holds
    spike: spikes_mod.SpikeSettings = field(default_factory=spikes_mod.SpikeSettings)
    shift: shift_mod.ShiftSettings = field(default_factory=shift_mod.ShiftSettings)
    silence: silence_mod.SilenceSettings = field(default_factory=silence_mod.SilenceSettings)
    explain: ExplainSettings = field(default_factory=ExplainSettings)
    drivers: DriverSettings = field(default_factory=DriverSettings)
    emerging: EmergingSettings = field(default_factory=EmergingSettings)
    keys: KeyLimits = field(default_factory=KeyLimits)
    spike_window: str = "5m"
    shift_window: str = "1h"
    silence_window: str = "1h"
    #: Kinds of keys each detector judges (``topic+region`` is a combination).
    spike_kinds: tuple[str, ...] = SPIKE_KINDS
    shift_kinds: tuple[str, ...] = SPIKE_KINDS
    silence_kinds: tuple[str, ...] = ("channel", "product")
    sla_s: dict[str, float] = field(default_factory=dict)  # per channel; default 6 h
    heartbeat_timeout_s: float = 900.0
    crisis_quiet_s: float = 6 * 3600.0  # a crisis ends after this long without a new item
    timezone: str = "Asia/Shanghai"  # hour-of-day and weekday slots of the baselines


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
        partitions: int = 1,
    ) -> None:
        self.state = state
        self.partitions = partitions  # of the windows topic: who owns the overall key
        self.settings = settings or DetectionSettings()
        self.now = now
        self.wall = wall
        self.sources = sources  # partitions of feedback.scored: each must pass a window
        self.heard: dict[tuple[int, int], float] = {}  # (detection p, source p) → wall time
        self._judged: dict[int, int] = {}  # detection p → event time its waits were judged at
        self.crises = CrisisTracker(state, self.settings.crisis_quiet_s, now)
        self.threads = ThreadTracker(state, self.settings.sla_s, now)
        self.parts = KeyFamily(state, PartKey.TAG)  # window parts, indexed per partition
        self.detectors = DetectorCache(state)
        self.keys = KeyBook(
            state,
            self.settings.keys,
            kind=dim_kind,
            weight=self._weight,
            busy=self._busy,
            drop=self.detectors.drop,
        )
        self.started = now().timestamp()  # heartbeats are judged from here on after a restart

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
        old = self.parts.get(key)
        if old is None or old.get("marker", -1) <= cell.get("marker", -1):
            self.parts.set(mp, key, cell)  # one record per part: a changelog record stays small
        total = self.total(mp, size, start, dim)
        if SIZES[size] == min(SIZES.values()):
            # a key is tracked from its first smallest window with events: the same window
            # however partials and closes interleave (an hour's partial starts earlier)
            self.keys.offer(mp, dim, start, total["complaints"])
        if size not in clock["first"] or start < clock["first"][size]:
            clock["first"][size] = start
            self.state[f"{mp}|clock"] = clock
        if dim == OVERALL and owner(OVERALL, self.partitions) != mp:
            return None  # every partition keeps the overall count; its owner stores it
        return dim, size, start, total

    def total(self, mp: int, size: str, start: int, dim: str) -> dict[str, Any]:
        """The key's window: the sum of every source partition's part (zero when none)."""
        keys = (part_key(mp, size, start, p, dim) for p in range(self.sources))
        parts = (self.parts.get(key) for key in keys)
        return merge_cells(part for part in parts if part is not None)

    # -- time ---------------------------------------------------------------------------------
    def _clock(self, mp: int) -> dict[str, Any]:
        clock = self.state.get(f"{mp}|clock")
        if clock is None:
            return {"wm": {}, "idle": {}, "closed": {}, "first": {}, "global": None}
        copied = {k: (dict(v) if isinstance(v, dict) else v) for k, v in clock.items()}
        copied.setdefault("idle", {})
        return copied

    def on_watermark(
        self,
        mp: int,
        p: int,
        wm: int | None,
        *,
        idle: bool = False,
        max_windows: int = MAX_CLOSE_PER_CALL,
    ) -> list[Signal]:
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
        return self.advance(mp, max_windows)

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
                return None if previous is None else int(previous)
            marks.append(int(clock["wm"][str(p)]))
        known = [int(v) for v in clock["wm"].values()]
        if not known:
            return None if previous is None else int(previous)
        candidate = min(marks) if marks else max(known)
        return candidate if previous is None else max(int(previous), candidate)

    def advance(self, mp: int, max_windows: int = MAX_CLOSE_PER_CALL) -> list[Signal]:
        """Close the windows the watermark has passed, at most ``max_windows`` of each size
        per call (:meth:`behind` says whether more are due); returns the signals raised."""
        clock = self._clock(mp)
        wm = self.global_watermark(mp, clock)
        if wm is None:
            return []
        clock["global"] = wm
        lateness = int(self.settings.lateness_s * 1000)
        signals: list[Signal] = []
        closed_any = False
        pending = []
        for size, size_s in SIZES.items():
            size_ms = size_s * 1000
            last = clock["closed"].get(size)
            start = last + size_ms if last is not None else clock["first"].get(size)
            count = 0
            while start is not None and start + size_ms + lateness <= wm and count < max_windows:
                signals += self.close_window(mp, size, start)
                clock["closed"][size] = start
                start += size_ms
                count += 1
                closed_any = True
            if start is not None:
                pending.append(start)
        if closed_any:
            # parts of windows not closed yet (a long catch-up goes in steps) are kept
            reach = min([wm - lateness, *pending])
            clock["horizon"] = reach - 2 * max(SIZES.values()) * 1000
        self.state[f"{mp}|clock"] = clock
        # waits and crises are judged in event time: nothing new is due while it stands still
        # and no thread or crisis item came (a progress mark or a tick that moved no time on)
        if self._judged.get(mp) != wm:
            self._judged[mp] = wm
            signals += self.check_threads(mp, wm / 1000)
            signals += self.check_crises(mp, wm / 1000)
        if closed_any:
            self.expire(mp, clock["horizon"])
        return signals

    def behind(self, mp: int) -> bool:
        """Whether windows the watermark has passed are still to close (a long catch-up)."""
        clock = self._clock(mp)
        wm = clock.get("global")
        if wm is None:
            return False
        lateness = int(self.settings.lateness_s * 1000)
        for size, size_s in SIZES.items():
            size_ms = size_s * 1000
            last = clock["closed"].get(size)
            start = last + size_ms if last is not None else clock["first"].get(size)
            if start is not None and start + size_ms + lateness <= wm:
                return True
        return False

    # -- detectors ----------------------------------------------------------------------------
    def close_window(self, mp: int, size: str, start: int) -> list[Signal]:
        """Run every detector due on this window size over the tracked keys; the signals.

        Anchors come before their combinations (sorted key texts), and the
        spikes of the window are reported together, each under the key that
        explains it best (:mod:`streams.explain`).
        """
        s = self.settings
        kinds = {"spike": s.spike_kinds, "shift": s.shift_kinds, "silence": s.silence_kinds}
        windows = {"spike": s.spike_window, "shift": s.shift_window, "silence": s.silence_window}
        runs = [run for run, window in windows.items() if window == size]
        signals: list[Signal] = []
        if size == PHRASE_WINDOW and s.emerging.enabled and owner(OVERALL, self.partitions) == mp:
            signals += self._emerging(mp, start)
        if not runs:
            return signals
        spikes: dict[str, tuple[spikes_mod.SpikeResult, dict[str, Any], KeyDetectors]] = {}
        touched: list[tuple[str, KeyDetectors, bool]] = []
        health = self._health(mp)
        for dim, since in sorted(self.keys.tracked(mp).items()):
            kind = dim_kind(dim)
            wanted = [run for run in runs if kind in kinds[run]]
            if since > start or not wanted:
                continue
            cell = self.total(mp, size, start, dim)
            key = self.detectors.get(mp, dim)
            if cell["n"]:
                key.meta["last"] = start
                sources = set(key.meta.get("sources", [])) | set(cell["sources"])
                key.meta["sources"] = sorted(sources)[:50]
            before = len(signals)
            for run in wanted:
                if run == "spike":
                    spiked = self._spike(mp, dim, key, start, size, cell)
                    # a value's usual share is learned only from windows nobody finds odd; the
                    # mix of negatives (a shift's drivers) is read from these windows too
                    learn = spiked.status is None and spiked.score == 0
                    by = cell.get("by", {})
                    self._tracker(key, "spike").observe(start / 1000, by, learn)
                    shifting = key.shift is not None and key.shift.episode.is_open
                    self._tracker(key, "shift").observe(start / 1000, by, learn and not shifting)
                    spikes[dim] = (spiked, cell, key)
                elif run == "shift":
                    signals += self._shift(key, dim, start, size, cell)
                else:
                    signals += self._silence(key, dim, start, size, cell, health)
            key.dirty = True
            touched.append((dim, key, bool(cell["n"]) or len(signals) > before))
        signals += self._report_spikes(mp, spikes)
        for dim, key, changed in touched:
            result = spikes.get(dim)
            reported = result is not None and result[0].status is not None
            if changed or reported or key.live_episode():
                self.detectors.save(mp, dim, key)
        if size == max(SIZES, key=SIZES.__getitem__):
            self.detectors.flush(mp)  # quiet keys are written once an hour of event time
        return signals

    def _emerging(self, mp: int, start: int) -> list[Signal]:
        """The hour's complaint terms against their own history (every partition counts the
        overall key; its owner judges them)."""
        cell = self.total(mp, PHRASE_WINDOW, start, OVERALL)
        key = f"{mp}|emerging"
        detector = EmergingDetector(self.settings.emerging, self.state.get(key))
        signals = detector.observe(start / 1000, cell, self.now())
        self.state[key] = detector.to_state()
        return signals

    def _common(self, start: int, size: str, cell: dict[str, Any]) -> dict[str, Any]:
        return {
            "window_start": start / 1000,
            "window_s": SIZES[size],
            "cell": cell,
            "detected_at": self.now(),
        }

    def _spike(
        self, mp: int, dim: str, key: KeyDetectors, start: int, size: str, cell: dict[str, Any]
    ) -> spikes_mod.SpikeResult:
        step_s = SIZES[size]
        spike = key.spike_detector(step_s, self.settings.spike, self.settings.timezone)
        if dim != OVERALL and spike.baseline.may_start_rhythm():
            # a new key keeps the hours of all complaints until its own counts tell its own
            overall = self.detectors.get(mp, OVERALL)
            parent = overall.spike_detector(step_s, self.settings.spike, self.settings.timezone)
            if parent.baseline.n * step_s >= 86400:
                spike.baseline.start_rhythm(parent.baseline.daily, parent.baseline.weekly)
        result: spikes_mod.SpikeResult = spike.observe(start / 1000, cell["complaints"])
        return result

    def _report_spikes(
        self,
        mp: int,
        spikes: dict[str, tuple[spikes_mod.SpikeResult, dict[str, Any], KeyDetectors]],
    ) -> list[Signal]:
        """Each firing spike under the key that explains it; an episode keeps its first key."""
        readings = {
            dim: Reading(r.status == "firing", r.scale, r.scales)
            for dim, (r, _, _) in spikes.items()
        }
        verdicts = judge(readings, self.settings.explain)
        if owner(OVERALL, self.partitions) != mp:
            verdicts.pop(OVERALL, None)  # every partition judges it; its owner reports it
        speaking = {  # keys whose episode is reported under their own key
            dim
            for dim, (r, _, key) in spikes.items()
            if verdicts.get(dim) == dim
            or ((key.meta.get("spike_shown") or {}).get("as") == dim and r.status == "firing")
        }
        for dim, shown_as in list(verdicts.items()):
            if shown_as != dim and shown_as in speaking:
                del verdicts[dim]  # the combination that explains it already says so
        signals = []
        for dim, (r, cell, key) in spikes.items():
            shown = key.meta.get("spike_shown")  # {"episode": start, "as": key text}
            current = shown if shown and shown["episode"] == r.episode_start else None
            report_as: str | None = current["as"] if current else verdicts.get(dim)
            if r.status == "firing" and report_as is not None and current is None:
                key.meta["spike_shown"] = {"episode": r.episode_start, "as": report_as}
            if r.status == "resolved":
                key.meta.pop("spike_shown", None)
                report_as = current["as"] if current else None
            if r.status is not None and r.episode_start is not None and report_as is not None:
                signals.append(self._spike_signal(dim, report_as, r, cell, key))
        return signals

    def _tracker(self, key: KeyDetectors, run: str) -> DriverTracker:
        """The key's mix of complaints (spikes) or negatives (shifts) by field and value."""
        state = key.meta.setdefault("drivers", {}).get(run)
        tracker = DriverTracker(0 if run == "spike" else 1, self.settings.drivers, state)
        key.meta["drivers"][run] = tracker.to_state()
        return tracker

    def _spike_signal(
        self,
        dim: str,
        report_as: str,
        r: spikes_mod.SpikeResult,
        cell: dict[str, Any],
        key: KeyDetectors,
    ) -> Signal:
        assert r.status is not None and r.episode_start is not None
        details: dict[str, Any] = {"p_value": r.p_value, "dispersion": round(r.dispersion, 4)}
        details |= {"reach_weighted": round(cell["reach_complaints"], 3), "volume": cell["n"]}
        details |= {"scale": r.scale}
        if report_as != dim:
            details["detected_on"] = dim
        fixed = {name for name, _ in dim_fields(dim) + dim_fields(report_as)}
        drivers = []
        if r.status == "firing":
            drivers = self._tracker(key, "spike").drivers(r.observed, r.expected, fixed)
        return window_signal(
            "spike", dim, status=r.status, episode_start=r.episode_start,
            observed=r.observed, expected=r.expected, score=r.score,
            statistic=spikes_mod.STATISTIC, details=details, report_as=report_as,
            window_start=r.window_end - r.window_s, window_s=r.window_s, cell=cell,
            detected_at=self.now(), drivers=drivers,
        )  # fmt: skip

    def _shift(
        self, key: KeyDetectors, dim: str, start: int, size: str, cell: dict[str, Any]
    ) -> list[Signal]:
        shift = key.shift_detector(self.settings.shift)
        q = shift.observe(start / 1000, cell["n"], cell["negatives"], cell["sentiment_sum"])
        tracker = self._tracker(key, "shift")  # fed by the key's 5-minute windows
        if q.status is None or q.episode_start is None:
            return []
        drivers = []
        if q.status == "firing":
            fixed = {name for name, _ in dim_fields(dim)}
            drivers = tracker.drivers(cell["negatives"], q.expected * cell["n"], fixed)
        details = {"z": round(q.z, 3), "volume": cell["n"]}
        details |= {"mean_sentiment": round(q.mean_sentiment, 4)}
        details |= {"usual_sentiment": round(q.usual_sentiment, 4)}
        return [
            window_signal(
                "sentiment_shift", dim, status=q.status, episode_start=q.episode_start,
                observed=q.observed, expected=q.expected, score=q.score,
                statistic=shift_mod.STATISTIC, details=details, drivers=drivers,
                **self._common(start, size, cell),
            )
        ]  # fmt: skip

    def _silence(
        self,
        key: KeyDetectors,
        dim: str,
        start: int,
        size: str,
        cell: dict[str, Any],
        health: dict[str, SourceHealth],
    ) -> list[Signal]:
        begin, end = start / 1000, start / 1000 + SIZES[size]
        behind = self._behind(dim, key.meta, health, begin, end)
        silence = key.silence_detector(SIZES[size], self.settings.silence, self.settings.timezone)
        r = silence.observe(begin, cell["n"], source_down=bool(behind))
        if r.status is None or r.episode_start is None:
            return []
        return [
            window_signal(
                "silence", dim, status=r.status, episode_start=r.episode_start,
                observed=r.observed, expected=r.expected, score=r.score,
                statistic=silence_mod.STATISTIC, details={"p_value": r.p_value},
                **self._common(start, size, cell),
            )
        ]  # fmt: skip

    def _behind(
        self,
        dim: str,
        meta: dict[str, Any],
        health: dict[str, SourceHealth],
        begin: float,
        end: float,
    ) -> list[str]:
        """Sources feeding ``dim`` (by channel, or seen under it) that were down in the window."""
        kind, _, value = dim.partition("=")
        return [
            name
            for name, source in health.items()
            if ((kind == "channel" and source.channel == value) or name in meta.get("sources", []))
            and source.down_during(begin, end)
        ]

    def _weight(self, mp: int, dim: str) -> float:
        """How heavy a tracked key is: its spike baseline's usual level (0 when unknown)."""
        return self.detectors.get(mp, dim).level()

    def _busy(self, mp: int, dim: str) -> bool:
        """A key in an episode is never dropped: its signal must be able to resolve."""
        return self.detectors.get(mp, dim).in_episode()

    # -- sources ------------------------------------------------------------------------------
    def _health(self, mp: int) -> dict[str, SourceHealth]:
        names = self.state.get(f"{mp}|sources") or []
        found = (self.state.get(f"{mp}|s|{name}") for name in names)
        return {h["source"]: SourceHealth.from_state(h) for h in found if h is not None}

    def on_heartbeat(self, mp: int, beat: Heartbeat, *, partitions: int) -> list[Signal]:
        """Track a source's health here; the owner partition reports changes."""
        key = f"{mp}|s|{beat.source}"
        stored = self.state.get(key)
        received = self.now().timestamp()
        if stored is None:
            health, change = SourceHealth.first(beat, received)
            names = self.state.get(f"{mp}|sources") or []
            self.state[f"{mp}|sources"] = sorted({*names, beat.source})
        else:
            health = SourceHealth.from_state(stored)
            change = health.beat(beat, received)
        self.state[key] = health.to_state()
        if change is None or owner(beat.source, partitions) != mp:
            return []
        return [self._source_signal(health, change)]

    def check_sources(self, mp: int, *, partitions: int) -> list[Signal]:
        """Sources whose heartbeats stopped arriving (processing time) for the timeout are down.

        After a restart every source gets the whole timeout again: the beats of
        the time the worker was away are on their way.
        """
        signals = []
        now = self.now().timestamp()
        for name, health in self._health(mp).items():
            health.last_seen = max(health.last_seen, self.started)
            change = health.check(now, self.settings.heartbeat_timeout_s)
            if change is not None:
                self.state[f"{mp}|s|{name}"] = health.to_state()
                if owner(name, partitions) == mp:
                    signals.append(self._source_signal(health, change))
        return signals

    def _source_signal(self, health: SourceHealth, change: str) -> Signal:
        since = health.periods[-1][0] if health.periods else health.last_beat
        assert since is not None
        return Signal(
            id=signal_id("source_down", health.source, since),
            type="source_down",
            key={"source": health.source, "channel": health.channel},
            status="firing" if change == "firing" else "resolved",
            window_start=at(since),
            window_end=at(max(health.last_beat, since)),
            observed=0.0 if change == "firing" else 1.0,
            expected=1.0,
            score=1.0 if change == "firing" else 0.0,
            statistic="heartbeat_status",
            severity=2 if change == "firing" else 0,
            detected_at=self.now(),
            details={"reported": health.reported, "message": health.message},
        )

    # -- crises and unanswered complaints (their trackers keep their state here too) ----------
    def on_crisis(self, mp: int, item: CrisisItem) -> list[Signal]:
        self._judged.pop(mp, None)
        return self.crises.on_crisis(mp, item)

    def check_crises(self, mp: int, now_s: float) -> list[Signal]:
        return self.crises.check(mp, now_s)

    def on_thread(self, mp: int, item: ThreadItem) -> list[Signal]:
        self._judged.pop(mp, None)
        return self.threads.on_thread(mp, item)

    def check_threads(self, mp: int, now_s: float) -> list[Signal]:
        return self.threads.check(mp, now_s)

    # -- housekeeping -------------------------------------------------------------------------
    def expire(self, mp: int, horizon_ms: int) -> None:
        """Forget window parts before the horizon, idle keys, and old down stretches."""
        for key in [k for k in self.parts.keys(mp) if PartKey.decode(k).start < horizon_ms]:
            self.parts.delete(mp, key)
        idle_ms = int(self.settings.keys.idle_s * 1000)
        self.keys.forget_idle(mp, horizon_ms, lambda dim: self._last(mp, dim))
        for name, health in self._health(mp).items():
            before = len(health.periods)
            health.forget_before((horizon_ms - idle_ms) / 1000)
            if len(health.periods) != before:
                self.state[f"{mp}|s|{name}"] = health.to_state()

    def _last(self, mp: int, dim: str) -> int | None:
        last = self.detectors.get(mp, dim).meta.get("last")
        return None if last is None else int(last)


def owner(source: str, partitions: int) -> int:
    """The detection partition that reports a source's health (the others only track it)."""
    return zlib.crc32(source.encode("utf-8")) % max(partitions, 1)
