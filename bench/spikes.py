"""Spike detector quality: NAB scores on generated mention counts, old vs new vs windowed Gaussian.

    .venv/bin/python bench/spikes.py [--quick] [--seeds N] [--weeks W] [--part NAME]

About 3 minutes on one core; --quick under a minute. Figures and how to read
them: docs/benchmarks.md ("Spike detection").

Three parts, each printing the current detector (``radar spikes score-csv``),
the previous one (``bench/spikes_previous.py``) and NAB's windowed Gaussian
side by side:

1. **Realistic families**: 5-minute mention counts built the way real ones
   behave (heavy-tailed rates, self-exciting reposting cascades that are not
   incidents, level shifts, daily and weekly rhythm, gaps and zero runs, quiet
   and busy keys) with labelled incidents of several sizes and shapes. NAB
   standard and low-false-positive scores, threshold optimised per profile
   (per family, and one threshold over all families); share of windows
   scoring above 0 and windows at 1.0 on the busy series.
2. **The earlier generated series** (levels 2, 15, 120; NB noise; ×2, ×3.5,
   ×8 incidents): recall and delay per size, NAB scores.
3. **Waves at every scale**: slow waves over 1-6 hours on keys of complaint
   counts and of mention counts, the regional wave (2 per 5 minutes plus 50
   an hour for 3 hours), busy-minute blips that must not fire; recall and
   delay per wave size and base level, and false alarms per day on realistic
   series without incidents.

NAB's rules: anomaly windows of 10% of the series split among its anomalies,
centred on each label; probation min(15% of the rows, 750 rows); the first
detection in a window scores by its position, every detection outside one
costs A_FP (less just after a window); normalised 100 * (raw - null) /
(perfect - null).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import spikes_previous
from streams.spikes import SpikeSettings, score_series

STEP = 300.0
PER_HOUR = 12
PER_DAY = 288
START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday
PROFILES = {"standard": (1.0, 0.11, 1.0), "low FP": (1.0, 0.22, 1.0)}  # A_TP, -A_FP, -A_FN


# -- detectors under comparison ---------------------------------------------------------------
def new_detector(rows: list[tuple[float, float]]) -> tuple[np.ndarray, list[Any]]:
    scored = list(score_series(rows, SpikeSettings()))
    return np.array([s for _, s in scored]), [r for r, _ in scored]


def old_detector(rows: list[tuple[float, float]]) -> tuple[np.ndarray, list[Any]]:
    scored = list(spikes_previous.score_series(rows, spikes_previous.SpikeSettings()))
    return np.array([s for _, s in scored]), [r for r, _ in scored]


def windowed_gaussian(values: np.ndarray, window: int = 6400, step: int = 100) -> np.ndarray:
    """NAB's windowedGaussian: 1 - Q(|z|) against the mean and sd of a trailing window.

    The window grows to ``window`` values (mean and sd after every value),
    then slides by ``step`` values at a time.
    """
    n = len(values)
    mean, sd = np.zeros(n), np.ones(n)
    s1 = np.concatenate([[0.0], np.cumsum(values)])
    s2 = np.concatenate([[0.0], np.cumsum(values * values)])
    for i in range(1, n):
        if i <= window:
            lo, hi = 0, i
        else:
            hi = window + ((i - window) // step) * step
            lo = hi - window
        count = hi - lo
        m = (s1[hi] - s1[lo]) / count
        var = max((s2[hi] - s2[lo]) / count - m * m, 0.0)
        mean[i], sd[i] = m, math.sqrt(var) or 1e-6
    z = np.abs(values - mean) / sd
    scores = 1.0 - 0.5 * np.array([math.erfc(v / math.sqrt(2)) for v in z])
    scores[0] = 0.0
    return scores


# -- NAB scoring --------------------------------------------------------------------------------
def scaled_sigmoid(x: float) -> float:
    return -1.0 if x >= 3.0 else 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0


@dataclass
class Labelled:
    """A scored series and its anomaly windows (row indices)."""

    scores: np.ndarray
    labels: list[int]
    windows: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.scores)
        if self.labels:
            length = int(0.1 * n / len(self.labels))
            self.windows = [
                (max(a - length // 2, 0), min(a + length // 2, n - 1)) for a in self.labels
            ]


def nab_points(series: Labelled, a_fp: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, weight, window id or -1) of every row after probation, as NAB's sweeper sees them."""
    n = len(series.scores)
    probation = int(min(math.floor(0.15 * n), 0.15 * 5000))
    weight = np.zeros(n)
    window_of = np.full(n, -1)
    max_tp = scaled_sigmoid(-1.0)
    prev: tuple[int, int] | None = None
    for i in range(n):
        inside = [k for k, (a, b) in enumerate(series.windows) if a <= i <= b]
        if inside:
            a, b = series.windows[inside[0]]
            window_of[i] = inside[0]
            weight[i] = scaled_sigmoid(-(b - i + 1) / (b - a + 1)) / max_tp
            prev = (a, b)
        elif prev is None:
            weight[i] = -a_fp
        else:
            a, b = prev
            weight[i] = scaled_sigmoid(abs(b - i) / (b - a)) * a_fp
    keep = np.arange(n) >= probation
    return series.scores[keep], weight[keep], window_of[keep]


def nab_score(runs: list[Labelled], profile: str) -> tuple[float, float]:
    """(normalised NAB score, best threshold) over ``runs`` with one threshold for all."""
    a_tp, a_fp, a_fn = PROFILES[profile]
    scores, weights, windows = [], [], []
    offset = 0
    for run in runs:
        s, w, k = nab_points(run, a_fp)
        scores.append(s)
        weights.append(w * np.where(k >= 0, a_tp, 1.0))
        windows.append(np.where(k >= 0, k + offset, -1))
        offset += len(run.windows)
    s, w, k = np.concatenate(scores), np.concatenate(weights), np.concatenate(windows)
    order = np.argsort(-s, kind="stable")
    s, w, k = s[order], w[order], k[order]
    fp_part = np.cumsum(np.where(k < 0, w, 0.0))
    window_part = np.zeros(len(s))
    best = np.full(offset, -a_fn)
    total = -a_fn * offset
    for i in np.flatnonzero(k >= 0):
        if w[i] > best[k[i]]:
            total += w[i] - best[k[i]]
            best[k[i]] = w[i]
        window_part[i] = total
    window_part = np.maximum.accumulate(np.where(k >= 0, window_part, -np.inf))
    window_part[np.isneginf(window_part)] = -a_fn * offset
    raw = fp_part + window_part
    last_of_tie = np.append(s[1:] != s[:-1], True)
    candidates = np.flatnonzero(last_of_tie)
    null, perfect = -a_fn * offset, a_tp * offset
    best_i = candidates[np.argmax(raw[candidates])]
    best_raw = max(float(raw[best_i]), null)  # a threshold above every score detects nothing
    threshold = float(s[best_i]) if raw[best_i] > null else 1.0
    return 100 * (best_raw - null) / (perfect - null), threshold


# -- realistic mention counts ---------------------------------------------------------------------
@dataclass(frozen=True)
class Family:
    """How one family of realistic series is drawn."""

    level: tuple[float, float]  # base mentions per 5 minutes (log-uniform)
    wander: tuple[float, float] = (0.15, 0.35)  # sd of the slowly wandering log rate
    cascades: tuple[float, float] = (2.0, 8.0)  # reposting cascades per day
    blips: tuple[float, float] = (0.001, 0.005)  # share of windows with a Pareto-multiplied rate
    blip_tail: tuple[float, float] = (1.5, 3.0)  # Pareto index of those multipliers
    cascade_tail: tuple[float, float] = (2.0, 3.0)  # Pareto index of cascade sizes
    surges: float = 0.2  # benign surges (a launch, a sale day) per day, x1.3-x2.5 for hours
    shifts: int = 0  # lasting level shifts (x0.5..x2), not incidents
    gaps: bool = False  # missing stretches and zero runs
    beijing: bool = False  # days and hours are Beijing's (else a random phase, as abroad)


FAMILIES = {
    "busy": Family(level=(60, 200)),
    "mid": Family(level=(8, 40)),
    "quiet": Family(level=(0.5, 4)),
    "heavy": Family(
        level=(20, 200),
        blips=(0.01, 0.03),
        blip_tail=(1.2, 2.0),
        cascades=(4.0, 12.0),
        cascade_tail=(1.3, 1.8),
    ),
    "shifty": Family(level=(10, 100), shifts=3, surges=0.4),
    "gappy": Family(level=(5, 100), shifts=1, gaps=True),
}


@dataclass
class Incident:
    shape: str
    start: int  # row index of the onset (the label)
    end: int  # last row with a visible excess
    peak: float  # peak rate over the usual rate


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def rhythm(n: int, rng: np.random.Generator, beijing: bool = False) -> np.ndarray:
    """Daily and weekly rhythm in Beijing time or in a zone of random phase."""
    t = np.arange(n) * STEP / 3600.0 + (8.0 if beijing else rng.uniform(0, 24))
    hour, day = t % 24, (t // 24).astype(int) % 7
    trough = rng.uniform(0.08, 0.5)
    peak_hour = rng.uniform(12, 22)
    shape = 0.5 - 0.5 * np.cos(2 * np.pi * (hour - peak_hour + 12) / 24)
    daily = trough + (1 - trough) * shape ** rng.uniform(1.0, 2.0)
    weekend = rng.uniform(0.6, 1.3)
    weekly = np.where(day >= 5, weekend, 1.0)
    out = daily * weekly
    return out / out.mean()


def ar_log_noise(n: int, sd: float, tau_windows: float, rng: np.random.Generator) -> np.ndarray:
    a = math.exp(-1.0 / tau_windows)
    shocks = rng.normal(0.0, sd * math.sqrt(1 - a * a), n)
    out = np.empty(n)
    x = rng.normal(0.0, sd)
    for i in range(n):
        x = a * x + shocks[i]
        out[i] = x
    return out


def incident_excess(shape: str, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """The incident's profile over rows (peak 1.0) and its peak multiplier.

    News travels for hours: after the peak the excess decays over hours, not minutes.
    """
    decay = rng.uniform(1, 8) * PER_HOUR
    tail = np.exp(-np.arange(int(decay * 3)) / decay)
    if shape == "sharp":
        plateau = np.ones(int(rng.integers(2, 12)))
        return np.concatenate([[0.6], plateau, tail]), log_uniform(rng, 5.0, 30.0)
    if shape == "ramped":
        rise = int(rng.integers(6, 36))
        plateau = np.ones(int(rng.integers(PER_HOUR, 6 * PER_HOUR)))
        profile = np.concatenate([(np.arange(rise) + 1) / rise, plateau, tail])
        return profile, log_uniform(rng, 3.0, 15.0)
    length = int(rng.integers(2 * PER_HOUR, 12 * PER_HOUR))  # a slow wave over hours
    profile = 0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(length) + 1) / (length + 1))
    return profile, log_uniform(rng, 2.0, 6.0)


def cascades(
    rate: np.ndarray, per_day: float, alpha: float, quiet: bool, rng: np.random.Generator
) -> np.ndarray:
    """Reposting cascades: a post, then reposts decaying within an hour or two (not incidents)."""
    n = len(rate)
    extra = np.zeros(n)
    for start in np.flatnonzero(rng.random(n) < per_day / PER_DAY):
        tau = rng.uniform(2, 12)  # 10 minutes to an hour
        kernel = np.exp(-np.arange(int(tau * 5) + 1) / tau)
        size = max(rate[start] * rng.uniform(1, 4), 4.0 if quiet else 0.0)
        mass = size * (1 - rng.random()) ** (-1 / alpha)
        stop = min(n, start + len(kernel))
        extra[start:stop] += mass * kernel[: stop - start] / kernel.sum()
    return extra


def realistic(
    family: Family,
    weeks: int,
    rng: np.random.Generator,
    incidents: bool = True,
    days: int | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Incident]]:
    """(timestamps, counts, incidents) of one series; timestamps skip missing stretches."""
    n = (days or weeks * 7) * PER_DAY
    level = log_uniform(rng, *family.level)
    base = level * rhythm(n, rng, family.beijing)
    drift = np.cumsum(rng.normal(0, 0.04 / math.sqrt(PER_DAY), n))  # a slow trend
    base *= np.exp(drift - drift.mean())
    for _ in range(family.shifts):
        at = int(rng.integers(n // 10, n))
        base[at:] *= log_uniform(rng, 0.5, 2.0)
    for start in np.flatnonzero(rng.random(n) < family.surges / PER_DAY):
        length = int(rng.uniform(3, 24) * PER_HOUR)
        stop = min(n, start + length)
        bump = 0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(stop - start) + 1) / (length + 1))
        base[start:stop] *= 1 + (rng.uniform(1.3, 2.5) - 1) * bump
    wander = ar_log_noise(n, rng.uniform(*family.wander), rng.uniform(1, 12) * PER_HOUR, rng)
    rate = base * np.exp(wander + rng.normal(0, rng.uniform(0.1, 0.25), n))
    hit = rng.random(n) < rng.uniform(*family.blips)
    rate[hit] *= (1 - rng.random(int(hit.sum()))) ** (-1 / rng.uniform(*family.blip_tail))
    per_day = rng.uniform(*family.cascades)
    tail = rng.uniform(*family.cascade_tail)
    rate += cascades(base, per_day, tail, family.level[1] < 10, rng)
    found: list[Incident] = []
    if incidents:
        count = int(rng.choice([2, 3, 3, 4]))
        probation = int(min(0.15 * n, 750))
        width = int(0.1 * n / count)
        lo, hi = probation + width // 2, n - width // 2 - PER_DAY
        edges = np.linspace(lo, hi, count + 1).astype(int)
        shapes = rng.permutation(["sharp", "ramped", "wave", "sharp"])[:count]
        for k, shape in enumerate(shapes):
            profile, peak = incident_excess(str(shape), rng)
            start = int(rng.integers(edges[k], max(edges[k] + 1, edges[k + 1] - len(profile))))
            stop = min(n, start + len(profile))
            usual = base[start:stop]
            lift = np.maximum((peak - 1) * usual.mean(), rng.uniform(1.5, 5.0))
            rate[start:stop] += lift * profile[: stop - start]
            found.append(Incident(str(shape), start, stop - 1, peak))
    counts = rng.poisson(rate).astype(float)
    keep = np.ones(n, dtype=bool)
    if family.gaps:
        busy_rows = np.zeros(n, dtype=bool)
        for x in found:
            busy_rows[max(0, x.start - PER_DAY) : x.end + PER_DAY] = True
        for kind in ["missing"] * int(rng.integers(1, 4)) + ["zeros"] * int(rng.integers(1, 3)):
            length = int(rng.integers(PER_HOUR, (24 if kind == "missing" else 8) * PER_HOUR))
            for _ in range(20):
                at = int(rng.integers(PER_DAY, n - length))
                if not busy_rows[at : at + length].any():
                    break
            else:
                continue
            if kind == "missing":
                keep[at : at + length] = False
            else:
                counts[at : at + length] = 0.0
    index = np.cumsum(keep) - 1  # row number of each kept window
    for x in found:
        x.start, x.end = int(index[x.start]), int(index[x.end])
    ts = START + STEP * np.arange(n)
    return ts[keep], counts[keep], found


# -- the earlier generated series -------------------------------------------------------------
SIZES = {"small": 2.0, "medium": 3.5, "large": 8.0}
LEVELS = {"low": 2.0, "mid": 15.0, "high": 120.0}


def daily_profile(hour: float) -> float:
    return 0.15 + 1.7 * (0.5 - 0.5 * math.cos(2 * math.pi * (hour - 4) / 24)) ** 1.5


def generated(
    level: float, days: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[Incident]]:
    n = int(days * 86400 / STEP)
    t = START + STEP * np.arange(n)
    hours = ((t % 86400) / 3600.0).astype(float)
    weekday = (t // 86400 % 7).astype(int)
    rate = np.array([daily_profile(h) for h in hours])
    rate *= np.where(weekday >= 5, 1.25, 1.0)
    rate *= level * (1 + 0.3 * np.arange(n) / n)
    shift_at = int(n * rng.uniform(0.55, 0.65))
    rate[shift_at:] *= 1.4
    found = []
    slots = np.linspace(int(n * 0.2), int(n * 0.95), 4).astype(int)
    for i, size in enumerate(SIZES):
        start = int(rng.integers(slots[i], slots[i + 1] - 60))
        length = int(rng.integers(6, 24))
        ramp = np.minimum(1.0, (np.arange(length) + 1) / 3)
        rate[start : start + length] *= 1 + (SIZES[size] - 1) * ramp
        found.append(Incident(size, start, start + length, SIZES[size]))
    phi = 0.15
    counts = rng.poisson(rate * rng.gamma(1 / phi, phi, size=n)).astype(float)
    blips = rng.choice(n, size=days // 2, replace=False)
    counts[blips] += rng.poisson(level * 1.5, size=len(blips))
    return counts, found


# -- reporting -------------------------------------------------------------------------------------
def onsets(results: list[Any]) -> list[int]:
    return [
        i
        for i, r in enumerate(results)
        if r.status == "firing" and r.episode_start == r.window_start
    ]


def table(header: list[str], rows: Iterable[list[str]]) -> None:
    rows = list(rows)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    print()


DETECTORS = ("new", "old", "windowed Gaussian")


def score_all(ts: np.ndarray, counts: np.ndarray) -> dict[str, tuple[np.ndarray, list[Any]]]:
    rows = list(zip(ts.tolist(), counts.tolist(), strict=True))
    return {
        "new": new_detector(rows),
        "old": old_detector(rows),
        "windowed Gaussian": (windowed_gaussian(counts), []),
    }


def realistic_part(args: argparse.Namespace) -> None:
    print(
        f"## Realistic families ({args.seeds} series each, {args.weeks} weeks of 5-minute counts)\n"
    )
    runs: dict[str, dict[str, list[Labelled]]] = {}
    busy: dict[str, list[np.ndarray]] = {d: [] for d in DETECTORS}
    for f, (name, family) in enumerate(FAMILIES.items()):
        runs[name] = {d: [] for d in DETECTORS}
        for seed in range(args.seeds):
            rng = np.random.default_rng(10_000 + 100 * f + seed)
            ts, counts, found = realistic(family, args.weeks, rng)
            for d, (scores, _) in score_all(ts, counts).items():
                runs[name][d].append(Labelled(scores, [x.start for x in found]))
                if name == "busy":
                    busy[d].append(scores)
    for profile in PROFILES:
        header = ["family", *(f"{d} ({profile})" for d in DETECTORS)]
        rows = []
        for name in [*FAMILIES, "all"]:
            row = [name]
            for d in DETECTORS:
                chosen = (
                    [r for fam in FAMILIES for r in runs[fam][d]]
                    if name == "all"
                    else runs[name][d]
                )
                score, threshold = nab_score(chosen, profile)
                row.append(f"{score:5.1f} @{threshold:.3g}")
            rows.append(row)
        table(header, rows)
    header = ["busy series", "share of windows > 0", "windows at 1.0 (per series)"]
    rows = []
    for d in DETECTORS:
        above = np.mean([float(np.mean(s > 0)) for s in busy[d]])
        saturated = np.mean([float(np.sum(s >= 1.0)) for s in busy[d]])
        rows.append([d, f"{above:.3f}", f"{saturated:.1f}"])
    table(header, rows)


def generated_part(args: argparse.Namespace) -> None:
    print(f"## Earlier generated series ({3 * args.gen_seeds} series, 14 days each)\n")
    hits = {d: {s: [] for s in SIZES} for d in ("new", "old")}
    missed = {d: dict.fromkeys(SIZES, 0) for d in ("new", "old")}
    false = dict.fromkeys(("new", "old"), 0)
    labelled: dict[str, list[Labelled]] = {d: [] for d in DETECTORS}
    for li, level in enumerate(LEVELS.values()):
        for seed in range(args.gen_seeds):
            rng = np.random.default_rng(li * 1000 + seed)
            counts, found = generated(level, 14, rng)
            ts = START + STEP * np.arange(len(counts))
            for d, (scores, results) in score_all(ts, counts).items():
                labelled[d].append(Labelled(scores, [x.start for x in found]))
                if d == "windowed Gaussian":
                    continue
                fired = onsets(results)
                for x in found:
                    first = [i for i in fired if x.start <= i <= x.end + 3]
                    if first:
                        hits[d][x.shape].append((first[0] - x.start) * STEP / 60)
                    else:
                        missed[d][x.shape] += 1
                false[d] += sum(not any(x.start <= i <= x.end + 3 for x in found) for i in fired)
    rows = []
    for size in SIZES:
        row = [f"{size} (x{SIZES[size]:g})"]
        for d in ("new", "old"):
            total = len(hits[d][size]) + missed[d][size]
            delay = statistics.median(hits[d][size]) if hits[d][size] else float("nan")
            row += [f"{len(hits[d][size]) / total:.2f}", f"{delay:.0f}"]
        rows.append(row)
    table(["incident size", "new recall", "new delay (min)", "old recall", "old delay (min)"], rows)
    print(f"episode onsets outside incidents: new {false['new']}, old {false['old']}\n")
    rows = [[p, *(f"{nab_score(labelled[d], p)[0]:.1f}" for d in DETECTORS)] for p in PROFILES]
    table(["NAB profile", *DETECTORS], rows)


WAVE_SIZES = (1.5, 2.0, 3.0)  # peak rate over the usual rate
WAVE_LEVELS = (2.0, 10.0, 50.0)  # usual mentions per 5 minutes
WAVE_HOURS = (1, 3, 6)


def first_onset(results: list[Any], start: int, stop: int) -> int | None:
    found = [i for i in onsets(results) if start <= i <= stop]
    return found[0] if found else None


#: Noise of a worker's key of complaint counts (a region, a product): near Poisson, a steady
#: rhythm, few bursts; mention counts are the realistic families' noise.
NOISE = {
    "complaints": Family(
        level=(1, 1),
        wander=(0.03, 0.08),
        cascades=(0.0, 0.3),
        blips=(0.0, 0.0005),
        surges=0.02,
        beijing=True,
    ),
    "mentions": Family(level=(1, 1)),
}


def wave_series(
    noise: str, level: float, hours: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[tuple[float, int, int]]]:
    """26 days of a key (no incidents), slow waves of each size on days 15, 19 and 23."""
    family = replace(NOISE[noise], level=(level, level))
    n = 26 * PER_DAY
    ts, counts, _ = realistic(family, 4, rng, incidents=False, days=26)
    waves = []
    for day, size in zip((15, 19, 23), rng.permutation(WAVE_SIZES), strict=True):
        start = day * PER_DAY + int(rng.integers(0, 24)) * PER_HOUR
        length = hours * PER_HOUR
        # a raised-cosine wave over the usual rate: the same hours of the three days before
        profile = 0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(length) + 1) / (length + 1))
        before = [counts[start - k * PER_DAY : start - k * PER_DAY + length] for k in (1, 2, 3)]
        usual = np.convolve(np.mean(before, axis=0), np.ones(7) / 7, mode="same")
        counts[start : start + length] += rng.poisson((size - 1) * usual * profile)
        waves.append((float(size), start, start + length))
    return ts[:n], counts[:n], waves


def waves_part(args: argparse.Namespace) -> None:
    print("## Waves at every scale\n")
    rows_per: dict[tuple[str, str, float, float], list[float | None]] = {}
    for noise in NOISE:
        for level in WAVE_LEVELS:
            for hours in WAVE_HOURS:
                for seed in range(args.wave_seeds):
                    rng = np.random.default_rng(5000 + int(level) * 10 + hours + 1000 * seed)
                    ts, counts, waves = wave_series(noise, level, hours, rng)
                    rows = list(zip(ts.tolist(), counts.tolist(), strict=True))
                    for d, scorer in (("new", new_detector), ("old", old_detector)):
                        _, results = scorer(rows)
                        for size, start, stop in waves:
                            hit = first_onset(results, start, stop + PER_HOUR)
                            delay = None if hit is None else (hit - start) * STEP / 60
                            rows_per.setdefault((noise, d, size, level), []).append(delay)
    print(f"Slow waves (raised cosine over {', '.join(map(str, WAVE_HOURS))} hours, peak x size)")
    print("on keys of complaint counts (near Poisson) and of mention counts (bursty): found")
    print("and median delay from the wave's start (minutes).\n")
    table_rows = []
    for noise in NOISE:
        for size in WAVE_SIZES:
            for level in WAVE_LEVELS:
                row = [f"{noise}: x{size:g} on {level:g}/5min"]
                for d in ("new", "old"):
                    found = rows_per[(noise, d, size, level)]
                    hits = [x for x in found if x is not None]
                    delay = f"{statistics.median(hits):.0f}" if hits else "-"
                    row += [f"{len(hits)}/{len(found)}", delay]
                table_rows.append(row)
    table(["wave", "new found", "new delay", "old found", "old delay"], table_rows)

    regional: dict[tuple[str, str], list[float | None]] = {}
    for noise in NOISE:
        for seed in range(args.wave_seeds * 4):
            rng = np.random.default_rng(7000 + seed)
            family = replace(NOISE[noise], level=(2, 2))
            ts, counts, _ = realistic(family, 4, rng, incidents=False, days=10)
            start = 8 * PER_DAY + int(rng.integers(0, 24)) * PER_HOUR
            counts[start : start + 3 * PER_HOUR] += rng.poisson(50 / PER_HOUR, 3 * PER_HOUR)
            rows = list(zip(ts.tolist(), counts.tolist(), strict=True))
            for d, scorer in (("new", new_detector), ("old", old_detector)):
                hit = first_onset(scorer(rows)[1], start, start + 4 * PER_HOUR)
                delay = None if hit is None else (hit - start) * STEP / 60
                regional.setdefault((noise, d), []).append(delay)
    table_rows = []
    for (noise, d), found in regional.items():
        hits = [x for x in found if x is not None]
        within = sum(x <= 60 for x in hits)
        delay = f"{statistics.median(hits):.0f}" if hits else "-"
        row = [f"{noise}: {d}", f"{len(hits)}/{len(found)}", f"{within}/{len(found)}", delay]
        table_rows.append(row)
    print("Regional wave: 2 per 5 minutes, then 50 more an hour for 3 hours (150 in all).\n")
    table(["key: detector", "found", "within 60 min", "median delay (min)"], table_rows)

    blips: dict[str, list[int]] = {"new": [0, 0], "old": [0, 0]}
    for seed in range(args.wave_seeds * 2):
        rng = np.random.default_rng(8000 + seed)
        ts, counts, _ = realistic(FAMILIES["busy"], 4, rng, incidents=False)
        at = rng.choice(np.arange(3 * PER_DAY, len(counts) - PER_HOUR), size=10, replace=False)
        for i in at:
            counts[i] = 5 * counts[max(0, i - PER_HOUR) : i].mean()
        rows = list(zip(ts.tolist(), counts.tolist(), strict=True))
        for d, scorer in (("new", new_detector), ("old", old_detector)):
            fired = set(onsets(scorer(rows)[1]))
            blips[d][0] += sum(int(i) in fired for i in at)
            blips[d][1] += len(at)
    print("Busy-minute blips: one window at 5x the last hour's mean in a busy noisy key.\n")
    table(
        ["detector", "blips that fired"],
        [[d, f"{fired}/{total}"] for d, (fired, total) in blips.items()],
    )

    quiet: dict[str, dict[str, float]] = {"new": {}, "old": {}}
    for f, (name, family) in enumerate(FAMILIES.items()):
        alarms = {"new": 0, "old": 0}
        days = 0.0
        for seed in range(args.wave_seeds):
            rng = np.random.default_rng(9000 + 100 * f + seed)
            ts, counts, _ = realistic(family, 4, rng, incidents=False)
            rows = list(zip(ts.tolist(), counts.tolist(), strict=True))
            days += len(rows) / PER_DAY - 2
            for d, scorer in (("new", new_detector), ("old", old_detector)):
                alarms[d] += sum(i >= 2 * PER_DAY for i in onsets(scorer(rows)[1]))
        for d in alarms:
            quiet[d][name] = alarms[d] / days
    print("False alarms (episodes opened) per day on realistic series without incidents,")
    print("after two days of warm-up (benign cascades, blips, surges and shifts are there).\n")
    table(
        ["family", "new", "old"],
        [[name, f"{quiet['new'][name]:.2f}", f"{quiet['old'][name]:.2f}"] for name in FAMILIES],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer and shorter series (about 30 s)"
    )
    parser.add_argument("--seeds", type=int, help="series per family (default 4, quick 2)")
    parser.add_argument("--weeks", type=int, help="weeks per realistic series (default 8, quick 4)")
    parser.add_argument("--part", choices=["realistic", "generated", "waves"], action="append")
    args = parser.parse_args()
    args.seeds = args.seeds or (2 if args.quick else 4)
    args.weeks = args.weeks or (4 if args.quick else 8)
    args.wave_seeds = 1
    args.gen_seeds = 2 if args.quick else 6  # as before: 18 series
    began = time.perf_counter()
    parts = args.part or ["realistic", "generated", "waves"]
    if "realistic" in parts:
        realistic_part(args)
    if "generated" in parts:
        generated_part(args)
    if "waves" in parts:
        waves_part(args)
    print(f"({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
