"""Spike detector quality on generated mention-volume series with injected incidents.

Prints, per incident size: recall, precision of episode onsets, and median
detection delay; then the NAB score (standard profile, best threshold) of the
online ``anomaly_score`` that ``radar spikes score-csv`` writes.

    .venv/bin/python bench/spikes.py [--seeds 6] [--days 14]

The series imitate public social-media mention counts: 5-minute counts with a
daily rhythm (quiet nights), a weekly one, a slow trend, overdispersed noise,
benign one-window blips, and a level shift that is not an incident.
"""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from streams.spikes import SpikeSettings, score_series

STEP = 300.0
START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday
SIZES = {"small": 2.0, "medium": 3.5, "large": 8.0}
LEVELS = {"low": 2.0, "mid": 15.0, "high": 120.0}


@dataclass
class Incident:
    size: str
    start: int  # row index
    end: int


def daily_profile(hour: float) -> float:
    # quiet at 4am, busy in the evening (as mention volumes are)
    return 0.15 + 1.7 * (0.5 - 0.5 * math.cos(2 * math.pi * (hour - 4) / 24)) ** 1.5


def generate(
    level: float, days: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[Incident], dict[str, list[int]]]:
    n = int(days * 86400 / STEP)
    t = START + STEP * np.arange(n)
    hours = ((t % 86400) / 3600.0).astype(float)
    weekday = ((t // 86400 + 0) % 7).astype(int)  # START is a Monday
    rate = np.array([daily_profile(h) for h in hours])
    rate *= np.where(weekday >= 5, 1.25, 1.0)
    rate *= level * (1 + 0.3 * np.arange(n) / n)  # slow growth
    shift_at = int(n * rng.uniform(0.55, 0.65))
    rate[shift_at:] *= 1.4  # a lasting level shift: not an incident
    incidents = []
    slots = np.linspace(int(n * 0.2), int(n * 0.95), 4).astype(int)
    for i, size in enumerate(["small", "medium", "large"]):
        start = int(rng.integers(slots[i], slots[i + 1] - 60))
        length = int(rng.integers(6, 24))
        factor = SIZES[size]
        ramp = np.minimum(1.0, (np.arange(length) + 1) / 3)
        rate[start : start + length] *= 1 + (factor - 1) * ramp
        incidents.append(Incident(size, start, start + length))
    phi = 0.15
    gamma = rng.gamma(1 / phi, phi, size=n)
    counts = rng.poisson(rate * gamma).astype(float)
    blips = rng.choice(n, size=days // 2, replace=False)  # one-window blips: noise
    counts[blips] += rng.poisson(level * 1.5, size=len(blips))
    return counts, incidents, {"blip": sorted(int(i) for i in blips), "shift": [shift_at]}


def scaled_sigmoid(y: float) -> float:
    return 2 / (1 + math.exp(5 * y)) - 1 if y < 3 else -1.0


def nab_raw(scores: np.ndarray, incidents: list[Incident], threshold: float) -> tuple[float, int]:
    """NAB standard profile (A_TP=1, A_FP=-0.11, A_FN=-1); windows 10% of the data."""
    n = len(scores)
    width = int(0.1 * n / len(incidents))
    windows = [(max(0, i.start - width // 2), min(n - 1, i.start + width // 2)) for i in incidents]
    probation = int(0.15 * n)
    detections = [i for i in np.flatnonzero(scores >= threshold) if i >= probation]
    total, hit = 0.0, set()
    for index in detections:
        inside = [k for k, (a, b) in enumerate(windows) if a <= index <= b]
        if inside:
            k = inside[0]
            if k not in hit:
                hit.add(k)
                a, b = windows[k]
                total += scaled_sigmoid(-(b - index) / (b - a + 1))
            continue
        before = [b for a, b in windows if b < index]
        if before:
            total += 0.11 * scaled_sigmoid((index - max(before)) / width)
        else:
            total -= 0.11
    total -= len(windows) - len(hit)
    return total, len(windows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--days", type=int, default=14)
    args = parser.parse_args()
    settings = SpikeSettings()
    hits: dict[str, list[float]] = {size: [] for size in SIZES}
    missed = dict.fromkeys(SIZES, 0)
    onsets_in, onsets_out = 0, 0
    runs = []
    for level_name, level in LEVELS.items():
        for seed in range(args.seeds):
            rng = np.random.default_rng(list(LEVELS).index(level_name) * 1000 + seed)
            counts, incidents, _ = generate(level, args.days, rng)
            rows = [(START + STEP * i, float(c)) for i, c in enumerate(counts)]
            scored = list(score_series(rows, settings))
            reported = np.array([r for _, r in scored])
            onsets = [
                i
                for i, (res, _) in enumerate(scored)
                if res.status == "firing" and res.episode_start == res.window_start
            ]
            for incident in incidents:
                found = [i for i in onsets if incident.start <= i <= incident.end + 3]
                if found:
                    hits[incident.size].append((found[0] - incident.start) * STEP / 60)
                else:
                    missed[incident.size] += 1
            inside = sum(any(x.start <= i <= x.end + 3 for x in incidents) for i in onsets)
            onsets_in += inside
            onsets_out += len(onsets) - inside
            runs.append((reported, incidents))
    print(f"generated series: {len(runs)} ({args.days} days of 5-minute counts each)")
    print(f"{'incident size':<15}{'recall':>8}{'median delay (min)':>20}")
    for size in SIZES:
        total = len(hits[size]) + missed[size]
        delay = statistics.median(hits[size]) if hits[size] else float("nan")
        print(f"{size + f' (x{SIZES[size]:g})':<15}{len(hits[size]) / total:>8.2f}{delay:>20.1f}")
    all_onsets = onsets_in + onsets_out
    precision = onsets_in / all_onsets if all_onsets else float("nan")
    print(f"episode onsets: {all_onsets}, precision {precision:.2f} ({onsets_out} false alarms)")
    best = (-math.inf, 0.0)
    for threshold in np.linspace(0.05, 0.95, 19):
        raw, perfect, null = 0.0, 0.0, 0.0
        for reported, incidents in runs:
            r, w = nab_raw(reported, incidents, float(threshold))
            raw, perfect, null = raw + r, perfect + w, null - w
        best = max(best, (100 * (raw - null) / (perfect - null), float(threshold)))
    print(f"NAB standard score (best threshold {best[1]:.2f}): {best[0]:.1f}")


if __name__ == "__main__":
    main()
