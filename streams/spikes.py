"""Detectors: complaint spikes per key at every time scale, against a seasonal baseline.

Each 5-minute window closes five tests: the window itself and the sums of
the last half hour, hour, six hours and day, each against what the seasonal
baseline expected over the same windows. A test's surprise is the
negative-binomial upper tail with that scale's own dispersion, learned
robustly from its residuals; the surprise is then judged against the key's
own history of surprises at that scale (``streams.surprise``), so a burst as
large as this key's usual bursts is not news. The smallest calibrated
p-value (Bonferroni over the scales tested) becomes a 0..1 score on a log
scale that is 0 for anything seen about once a day or more often.

A scale is tested only when its count reaches ``min_count``, so a few
complaints at night never wake anyone, while dozens an hour in a quiet key
fire within the hour. A burst is one episode: it fires once, is updated,
then resolves when the scales up to an hour (and longer ones that fit in the
episode) are quiet; a longer scale does not open a new episode on windows an
episode covered. The baseline learns counts capped at mu + 3 sd (so bursts
and incidents do not teach it that they are normal) until an episode has
lasted ``adapt_after`` windows, when a lasting new level is accepted. A zero
where a zero is all but impossible (an outage upstream) is treated as
missing, not learned.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from streams.baseline import (
    DEFAULT_TIMEZONE,
    SeasonalBaseline,
    alpha,
    learn_phi,
    tail_score,
    upper_tail,
)
from streams.episodes import Episode, Status
from streams.plain import plain
from streams.surprise import SurpriseHistory

STATISTIC = "negative_binomial_upper_tail"
#: Surprises (-log10 p) below this are never calibrated: they could not score anyway.
CALIBRATE_FROM = 1.5
#: Windows more surprising than this (p < 1e-3) do not teach a scale its dispersion.
BULK_SURPRISE = 3.0
#: After the warm-up day a scale's dispersion is learned again, its guess worth an hour.
PHI_RELEARN = 12
#: Scales up to this long hold an open episode from its start; longer ones once they fit in it.
HELD_BY_S = 3600.0
#: A window whose smallest p-value (Bonferroni) is below this is odd: learned with care.
ODD_P = 0.01
#: A window that some scale finds odd is learned capped at mu + this many sd.
SUSPECT_SIGMAS = 1.0
#: A window this surprising (p < 1e-2) is raised: its run is learned only when it ends.
RAISED_SURPRISE = 2.0


@dataclass(frozen=True)
class SpikeSettings:
    """How the spike detector judges (documented in docs/streams.md)."""

    min_count: int = 5  # a scale's count below this is never tested at that scale
    min_history: int = 12  # windows of history before any score
    fire_at: float = 0.5  # score that opens an episode (calibrated p <= 1e-5)
    resolve_below: float = 0.2  # scores below this count as quiet (p > 10**-3.2)
    resolve_after: int = 3  # quiet windows in a row that end an episode
    score_scale: float = 8.0  # calibrated p-value 10**-scale is score 1
    score_floor: float = 2.0  # calibrated p-values above 10**-floor score 0
    clip_sigmas: float = 3.0  # counts are learned capped at mu + k*sd
    adapt_after: int = 36  # windows after which an episode's lasting level is learned as normal
    repeat_factor: float = 0.5  # score-csv: a window that adds nothing to its run is damped
    sustained_windows: int = 6  # also test the sum of this many windows (half an hour)
    warmup_s: float = 86400.0  # until a day is seen, the rhythm is uncertain: tails are widened
    warmup_phi: float = 1.0  # extra dispersion at the start of the warm-up, fading to 0
    level_halflife_s: float = 6 * 3600.0
    daily_halflife_days: float = 3.0
    hourly: bool = True  # test the sum of the last hour
    daily: bool = True  # test the sum of the last day (23 hours and the hour under way)
    hours: tuple[int, ...] = (6,)  # also test the sums of these many hours (as the day is)
    day_history_s: float = 2 * 86400.0  # history before the day is tested
    phi_halflife_s: float = 2 * 86400.0  # how fast each scale's dispersion follows
    calibration_halflife_days: float = 14.0  # how fast the history of surprises forgets
    calibration_prior: float = 20.0  # prior belief in the plain model, in windows of a scale
    dropout_p: float = 1e-4  # a zero count less likely than this is missing data
    dropout_accept_s: float = 86400.0  # such zeros this long in a row are believed


@dataclass(frozen=True)
class SpikeResult:
    """What the detector made of one window.

    ``observed`` and ``expected`` are the counts at ``scale``, the scale whose
    test decided: the last ``window_s`` seconds up to ``window_end``.
    """

    window_start: float  # the window just observed
    observed: float
    expected: float
    score: float
    p_value: float  # calibrated, Bonferroni over the scales tested
    dispersion: float  # negative-binomial phi of the deciding scale
    status: Status | None  # firing / resolved when there is something to report
    episode_start: float | None
    scale: str  # "5m", "30m", "1h", "6h", "1d" (named by its length)
    window_s: float  # length of the deciding scale's window
    window_end: float  # end of the window just observed, and of every scale's
    #: (observed, expected) at every scale tested, by name: lets a key be judged against
    #: another at the same scale (a combination against its anchor).
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class Scale:
    """One time scale's test: how many windows it sums, its dispersion, its past surprises."""

    name: str
    windows: int  # windows summed; negative: this many hour blocks (the day is -24)
    phi: float
    history: SurpriseHistory
    learned: int = 0
    #: the run of raised windows under way: one sample (its peak) when it ends without an
    #: episode, so the tail of the history counts events, not windows, and a growing wave
    #: cannot teach the key that it is normal while it grows
    run_peak: float = 0.0
    run: int = 0

    def hold(self, surprise: float, longest: int) -> None:
        """A raised window: part of the run under way (a run is cut at ``longest`` windows)."""
        self.run_peak = max(self.run_peak, surprise)
        self.run += 1
        if self.run >= longest:
            self.release()

    def release(self) -> None:
        """The run ended without an episode: its peak was the key's normal after all."""
        if self.run:
            self.history.learn(self.run_peak)
        self.forget()

    def forget(self) -> None:
        self.run_peak, self.run = 0.0, 0

    def to_state(self) -> dict[str, Any]:
        return {**plain(self), "history": self.history.to_state()}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Scale:
        return cls(**{**state, "history": SurpriseHistory.from_state(state["history"])})


@dataclass(frozen=True)
class Test:
    """One scale's test of the latest window."""

    scale: Scale
    observed: float
    expected: float
    clean: float  # observed, with an episode's windows as the baseline learned them
    window_s: float
    phi: float
    p_value: float  # calibrated: how often an event this surprising starts
    surprise: float  # -log10 of the negative-binomial tail
    testable: bool  # enough history and count
    covered: bool  # its window overlaps an episode


def scale_name(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class SpikeDetector:
    """Online multi-scale spike detection for one key; feed windows in event-time order."""

    def __init__(
        self,
        step_s: float,
        settings: SpikeSettings | None = None,
        state: dict[str, Any] | None = None,
        *,
        tz: str = DEFAULT_TIMEZONE,
    ) -> None:
        self.settings = s = settings or SpikeSettings()
        self.step_s = step_s
        self.per_hour = max(1, round(3600.0 / step_s))
        if state and "baseline" in state:
            self.baseline = SeasonalBaseline.from_state(state["baseline"])
            self.episode = Episode.from_state(state["episode"])
            self.episode.fire_at, self.episode.resolve_below = s.fire_at, s.resolve_below
            self.episode.resolve_after = s.resolve_after
        else:
            self.baseline = SeasonalBaseline(
                step_s,
                level_halflife_s=s.level_halflife_s,
                daily_halflife_days=s.daily_halflife_days,
                tz=tz,
            )
            self.episode = Episode(s.fire_at, s.resolve_below, s.resolve_after)
        self._prepare(state)

    def _prepare(self, state: dict[str, Any] | None) -> None:
        s = self.settings
        if state and "scales" in state:
            self.scales = [Scale.from_state(x) for x in state["scales"]]
            self.ring: list[list[float]] = [list(x) for x in state["ring"]]
            self.blocks: list[list[float]] = [list(x) for x in state["blocks"]]
            self.index: int | None = state["index"]
            self.dropouts: int = state["dropouts"]
            self.opened_by: str = state["opened_by"]
            self.peaks: list[float] = list(state["peaks"])
            self.settled_at: float = state.get("settled_at", 0.0)
        else:  # a new key, or a state from before the scales: its baseline is kept
            self.scales = self._new_scales()
            # ring [count, expected, clean], hour blocks [count, seasonal factors, clean]:
            # clean is the count with an episode's windows replaced by what the baseline
            # learned of them (what the scales learn from)
            self.ring = [[0.0, 0.0, 0.0] for _ in range(max(self.per_hour, s.sustained_windows, 1))]
            self.blocks = [[0.0, 0.0, 0.0] for _ in range(24)]
            self.index = None
            self.dropouts = 0
            self.opened_by = ""
            self.peaks = [0.0] * len(self.scales)
            self.settled_at = 0.0
        self.phi_alpha = alpha(s.phi_halflife_s / self.step_s)

    def _new_scales(self) -> list[Scale]:
        s, step = self.settings, self.step_s
        sizes = [1]
        if 1 < s.sustained_windows < self.per_hour:
            sizes.append(s.sustained_windows)
        if s.hourly and self.per_hour > 1:
            sizes.append(self.per_hour)
        sizes += [-h for h in s.hours if 1 < h < 24 and h * 3600 > step]
        if s.daily and step < 86400:
            sizes.append(-24)
        scales = []
        for size in sizes:
            span = -size * 3600.0 if size < 0 else size * step
            halflife = max(s.calibration_halflife_days * 86400.0, 28 * span) / step
            prior = s.calibration_prior * span / step
            phi = 0.1 if size == 1 else 0.05
            history = SurpriseHistory(halflife=halflife, prior=prior)
            scales.append(Scale(scale_name(span), size, phi, history))
        return scales

    # -- the windows each scale sums ------------------------------------------------------------
    def _advance(self, index: int, hour: int) -> None:
        """Forget windows and hours skipped since the last window (missing, not zero)."""
        if self.index is not None and index > self.index:
            for i in range(self.index + 1, min(index, self.index + len(self.ring) + 1)):
                self.ring[i % len(self.ring)] = [0.0, 0.0, 0.0]
            last_hour = math.floor(self.index * self.step_s / 3600.0)
            for h in range(last_hour + 1, min(hour, last_hour + 24) + 1):
                self.blocks[h % 24] = [0.0, 0.0, 0.0]
        self.index = index

    def _sums(self, ts: float) -> dict[int, tuple[float, float, float, float]]:
        """(count, expected, clean count, seconds) of every scale's window, by its size."""
        assert self.index is not None
        out: dict[int, tuple[float, float, float, float]] = {}
        wanted = {x.windows for x in self.scales}
        count = expected = clean = 0.0
        longest = max((w for w in wanted if w > 0), default=0)
        for j in range(longest):
            c, e, k = self.ring[(self.index - j) % len(self.ring)]
            count, expected, clean = count + c, expected + e, clean + k
            if j + 1 in wanted:
                out[j + 1] = (count, expected, clean, (j + 1) * self.step_s)
        hour = math.floor(ts / 3600.0)
        into_hour = ts + self.step_s - hour * 3600.0
        count = season = clean = 0.0
        for j in range(24):
            c, f, k = self.blocks[(hour - j) % 24]
            count, season, clean = count + c, season + f, clean + k
            if -(j + 1) in wanted:
                span = j * 3600.0 + into_hour
                expected = self.baseline.level_over(span) * season
                out[-(j + 1)] = (count, expected, clean, span)
        return out

    def _warmup(self) -> float:
        s = self.settings
        return s.warmup_phi * max(0.0, 1.0 - self.baseline.n * self.step_s / s.warmup_s)

    def _ready(self, scale: Scale) -> bool:
        s = self.settings
        if scale.windows < 0:
            return self.baseline.n * self.step_s >= max(s.day_history_s * -scale.windows / 24, 3600)
        return self.baseline.n >= max(s.min_history, scale.windows)

    def _covered(self, window_s: float, end: float) -> bool:
        ended = self.episode.ended
        return self.episode.is_open or (ended is not None and end - window_s <= ended)

    def _test(self, scale: Scale, ts: float, sums: tuple[float, float, float, float]) -> Test:
        s = self.settings
        count, expected, clean, window_s = sums
        phi = scale.phi + self._warmup()
        p_nb, surprise = 1.0, 0.0
        if count > expected:  # at or below what is expected, u < 0.5: nothing to tell
            p_nb = upper_tail(count, max(expected, 0.05), phi)
            surprise = -math.log10(p_nb) if p_nb > 0 else 320.0
        p_value = p_nb
        if surprise >= CALIBRATE_FROM:
            p_value = max(p_nb, scale.history.survival(surprise))
        testable = self._ready(scale) and count >= s.min_count
        covered = self._covered(window_s, ts + self.step_s)
        return Test(
            scale, count, expected, clean, window_s, phi, p_value, surprise, testable, covered
        )

    # -- one window -----------------------------------------------------------------------------
    def score(self, window_start: float, tests: list[Test]) -> tuple[float, float, Test | None]:
        """(score, p-value, deciding test) among the tests that may open or hold an episode."""
        s = self.settings
        if self.episode.open_since is not None:
            elapsed = window_start + self.step_s - self.episode.open_since
            reach = max(elapsed, HELD_BY_S)  # the hour holds an episode from its start
            judged = [t for t in tests if t.scale.name == self.opened_by or t.window_s <= reach]
        else:
            judged = [t for t in tests if not t.covered]
        judged = [t for t in judged if t.testable]
        if not judged:
            return 0.0, 1.0, None
        best = min(judged, key=lambda t: t.p_value)
        p_value = min(1.0, best.p_value * len(judged))  # Bonferroni over the scales tested
        return tail_score(p_value, s.score_scale, s.score_floor), p_value, best

    def observe(self, window_start: float, count: float) -> SpikeResult:
        """Score the window at every scale, advance the episode, then learn from the window."""
        s, ts = self.settings, window_start
        self._advance(round(ts / self.step_s), math.floor(ts / 3600.0))
        season = self.baseline.season(ts)
        expected = self.baseline.level * season
        phi = self.scales[0].phi + self._warmup()
        dropout = (
            count == 0
            and self.dropouts * self.step_s < s.dropout_accept_s
            and self.baseline.n >= s.min_history
            and (1.0 + phi * expected) ** (-1.0 / max(phi, 1e-9)) < s.dropout_p
        )
        self.dropouts = self.dropouts + 1 if dropout else 0
        assert self.index is not None
        # a ring entry holds the count expected of the window; an hour block the seasonal
        # factors of its windows, which the level of the sum's own length multiplies
        self.ring[self.index % len(self.ring)] = (
            [0.0, 0.0, 0.0] if dropout else [count, expected, count]
        )
        if not dropout:
            block = self.blocks[math.floor(ts / 3600.0) % 24]
            block[0] += count
            block[1] += season
            block[2] += count
        sums = self._sums(ts)
        tests = [self._test(scale, ts, sums[scale.windows]) for scale in self.scales]
        score, p_value, best = self.score(ts, tests)
        status = self.episode.step(ts, score)
        if status == "firing" and self.episode.windows == 1 and best is not None:
            self.opened_by = best.scale.name
            self.peaks = [0.0] * len(self.scales)
            for scale in self.scales:  # the rise of the episode is not normal either
                scale.forget()
        if status is not None:
            self.peaks = [max(p, t.surprise) for p, t in zip(self.peaks, tests, strict=True)]
        if status == "resolved" and self.baseline.n * self.step_s >= s.warmup_s:
            # one sample per burst, at the scale that saw it: the key's bursts are its normal
            for scale, peak in zip(self.scales, self.peaks, strict=True):
                if scale.name == self.opened_by:
                    scale.history.learn(peak)
        if not dropout:
            self._learn(ts, count, expected, phi, tests, status)
        shown = best or tests[0]
        return SpikeResult(
            window_start=ts,
            observed=shown.observed,
            expected=shown.expected,
            score=score,
            p_value=p_value,
            dispersion=shown.phi,
            status=status,
            episode_start=self.episode.started,
            scale=shown.scale.name,
            window_s=shown.window_s,
            window_end=ts + self.step_s,
            scales={t.scale.name: (t.observed, t.expected) for t in tests},
        )

    def _learn(
        self,
        ts: float,
        count: float,
        expected: float,
        phi: float,
        tests: list[Test],
        status: Status | None,
    ) -> None:
        s = self.settings
        # a window some scale finds odd is learned barely above normal and does not reshape
        # the rhythm: a slow wave must not lift what it is measured against before it is
        # recognised; an episode that has lasted adapt_after windows is the new normal
        odd = min(t.p_value for t in tests) * len(tests) < ODD_P
        learn = count
        adapting = self.episode.is_open and self.episode.windows >= s.adapt_after
        if status == "resolved" and self.episode.windows > s.adapt_after:
            # a lasting change: learnt freely until the longest sum holds only the new level
            self.settled_at = ts + max(t.window_s for t in tests)
        settling = ts < self.settled_at
        if adapting or settling:  # learnt freely, and by every scale's level at once
            odd = False
            self.baseline.accept()
        else:
            sd = max(1.0, math.sqrt(expected + phi * expected * expected))
            learn = min(count, expected + (SUSPECT_SIGMAS if odd else s.clip_sigmas) * sd)
        self.baseline.update(ts, learn, seasonal=not odd)
        shift = 0.0
        if self.episode.is_open or status == "resolved":  # the episode's windows stay out
            assert self.index is not None
            shift = learn - count
            self.ring[self.index % len(self.ring)][2] = learn
            self.blocks[math.floor(ts / 3600.0) % 24][2] += shift
        warm = self.baseline.n * self.step_s >= s.warmup_s
        just_warm = warm and (self.baseline.n - 1) * self.step_s < s.warmup_s
        for t in tests:
            if t.expected <= 0:
                continue
            clean, surprise = t.clean + shift, t.surprise
            if clean != t.observed:
                surprise = 0.0
            if clean != t.observed and clean > t.expected:
                p_clean = upper_tail(clean, max(t.expected, 0.05), t.phi)
                surprise = -math.log10(p_clean) if p_clean > 0 else 320.0
            scale = t.scale
            if just_warm:  # the warm-up's dispersion was a first guess: learn it again
                scale.learned = 0
            scale.learned += 1
            if surprise < BULK_SURPRISE:  # the dispersion is the bulk's: tails are calibrated
                a = max(self.phi_alpha, 1.0 / (scale.learned + PHI_RELEARN))
                weight = a * min(1.0, t.expected / 5.0)
                scale.phi = learn_phi(scale.phi, clean, t.expected, weight)
            if not warm:  # the first day's surprises are the rhythm not yet learned
                continue
            if surprise >= RAISED_SURPRISE:
                if not self.episode.is_open:
                    longest = max(2 * round(t.window_s / self.step_s), s.adapt_after)
                    scale.hold(surprise, longest)
            else:
                scale.release()
                scale.history.learn(surprise)

    def to_state(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.to_state(),
            "episode": self.episode.to_state(),
            "scales": [x.to_state() for x in self.scales],
            "ring": [list(x) for x in self.ring],
            "blocks": [list(x) for x in self.blocks],
            "index": self.index,
            "dropouts": self.dropouts,
            "opened_by": self.opened_by,
            "peaks": list(self.peaks),
            "settled_at": self.settled_at,
        }


def score_series(
    rows: Iterable[tuple[float, float]],
    settings: SpikeSettings | None = None,
    *,
    tz: str = DEFAULT_TIMEZONE,
) -> Iterator[tuple[SpikeResult, float]]:
    """Score a count series online: each (result, reported score) uses only rows up to it.

    The step is the smallest gap between the first timestamps seen. The
    reported score is the news in the window (see :class:`News`).
    """
    settings = settings or SpikeSettings()
    news = News(settings)
    detector: SpikeDetector | None = None
    pending: list[tuple[float, float]] = []
    for ts, value in rows:
        if detector is None:
            pending.append((ts, value))
            if len(pending) < 3:
                continue
            gaps = [b[0] - a[0] for a, b in itertools.pairwise(pending) if b[0] > a[0]]
            detector = SpikeDetector(min(gaps) if gaps else 300.0, settings, tz=tz)
            for early_ts, early_value in pending:
                result = detector.observe(early_ts, early_value)
                yield result, news(result, detector.episode.windows)
            continue
        result = detector.observe(ts, value)
        yield result, news(result, detector.episode.windows)
    if detector is None:  # fewer than three rows: nothing to learn from
        detector = SpikeDetector(300.0, settings, tz=tz)
        for ts, value in pending:
            result = detector.observe(ts, value)
            yield result, news(result, detector.episode.windows)


class News:
    """What a window adds to what its run of odd windows already said (an incident is news once).

    A run is a stretch of windows scoring above 0 (it ends after
    ``resolve_after`` windows at 0). A window is reported at its score when it
    opens an episode or raises the run's highest score outside an episode;
    otherwise damped to at most ``fire_at * repeat_factor``.
    """

    def __init__(self, settings: SpikeSettings) -> None:
        self.settings = settings
        self.best = 0.0
        self.quiet = 0

    def __call__(self, result: SpikeResult, episode_windows: int) -> float:
        s = self.settings
        self.quiet = self.quiet + 1 if result.score <= 0 else 0
        if self.quiet >= s.resolve_after:
            self.best = 0.0
        opens = result.status == "firing" and episode_windows == 1
        goes_on = result.status == "firing" and not opens
        if opens or (result.score > self.best and not goes_on):
            self.best = max(self.best, result.score)
            return result.score
        return min(result.score, s.fire_at) * s.repeat_factor
