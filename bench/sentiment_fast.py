"""Bench: the fast sentiment engine against snownlp itself, same texts, one thread, side by side.

Usage: .venv/bin/python bench/sentiment_fast.py [--data PATH] [--sample 2000] [--per-class 1000]

Texts come from a labelled CSV (--data; default: ../shared/data/reviews_train.csv
beside the checkout, not part of the repository):
a fixed random sample of reviews, then the three length classes (short <= 20
characters, medium 21-100, long > 100). Both engines score the same texts in
the same process, slice by slice in turn, so a busy machine slows both alike
and the speed-up stays meaningful. "fast" scores each slice in one batch
(``score_batch``, as the stream worker does); "fast 1-by-1" calls ``score``
once per text.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from radar.errors import ConfigError
from streams.sentiment import get_engine
from streams.sentiment.dataset import DEFAULT_TRAINING_CSV
from streams.sentiment.dataset import load_reviews as load_labelled

CLASSES = {"short": (1, 20), "medium": (21, 100), "long": (101, 10**9)}
SLICES = 5


def load_reviews(path: Path) -> list[str]:
    try:
        return load_labelled(path).texts
    except ConfigError as exc:
        sys.exit(f"error: {exc}")


def race(
    runners: dict[str, Callable[[list[str]], list[float]]], texts: list[str]
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Texts/s of each runner and its scores; the runners take turns slice by slice."""
    seconds = dict.fromkeys(runners, 0.0)
    scores: dict[str, list[float]] = {name: [] for name in runners}
    size = -(-len(texts) // SLICES)
    for lo in range(0, len(texts), size):
        part = texts[lo : lo + size]
        for name, run in runners.items():
            started = time.perf_counter()
            scores[name] += run(part)
            seconds[name] += time.perf_counter() - started
    return {name: len(texts) / s for name, s in seconds.items()}, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_TRAINING_CSV, help="labelled CSV of reviews"
    )
    parser.add_argument("--sample", type=int, default=2000, help="random reviews (default 2000)")
    parser.add_argument("--per-class", type=int, default=1000, help="reviews per length class")
    parser.add_argument("--seed", type=int, default=7, help="seed of the fixed sample")
    args = parser.parse_args()

    reviews = load_reviews(args.data)
    rng = random.Random(args.seed)
    sets = {f"sample of {args.sample}": rng.sample(reviews, args.sample)}
    for name, (low, high) in CLASSES.items():
        fitting = [text for text in reviews if low <= len(text) <= high]
        label = f"{name} ({low}-{high})" if high < 10**9 else f"{name} (>{low - 1})"
        sets[label] = rng.sample(fitting, min(args.per_class, len(fitting)))

    started = time.perf_counter()
    fast = get_engine("fast")
    fast.score_batch(["预热：加载编译好的分词内核"])
    print(f"fast engine ready in {time.perf_counter() - started:.1f}s (tables and kernel loaded)")
    snownlp = get_engine("snownlp")
    snownlp.score_batch(["预热"])
    runners: dict[str, Callable[[list[str]], list[float]]] = {
        "snownlp": snownlp.score_batch,
        "fast": fast.score_batch,
        "fast 1-by-1": lambda texts: [fast.score(text) for text in texts],
    }

    print(f"one thread, texts/s, reviews from {args.data.name}\n")
    header = (
        f"{'texts':<20}{'n':>6}{'chars':>7}{'snownlp':>9}{'fast':>9}{'fast 1-by-1':>13}"
        f"{'speed-up':>10}{'1-by-1':>8}{'max |Δ|':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, texts in sets.items():
        rates, scores = race(runners, texts)
        reference = scores["snownlp"]
        delta = max(
            abs(a - b)
            for run in ("fast", "fast 1-by-1")
            for a, b in zip(scores[run], reference, strict=True)
        )
        chars = sum(map(len, texts)) / len(texts)
        print(
            f"{name:<20}{len(texts):>6}{chars:>7.0f}{rates['snownlp']:>9.0f}{rates['fast']:>9.0f}"
            f"{rates['fast 1-by-1']:>13.0f}{rates['fast'] / rates['snownlp']:>9.0f}x"
            f"{rates['fast 1-by-1'] / rates['snownlp']:>7.0f}x{delta:>9.1g}"
        )


if __name__ == "__main__":
    main()
