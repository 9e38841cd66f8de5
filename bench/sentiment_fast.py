"""Bench: the fast sentiment engine against snownlp itself, same texts, one thread, side by side.

Usage: .venv/bin/python bench/sentiment_fast.py [--sample 2000] [--per-class 300] [--seed 7]

Texts come from ../shared/data/reviews_train.csv (relative to the repo root):
a fixed random sample of reviews, then the three length classes (short <= 20
characters, medium 21-100, long > 100). Both engines score the same texts in
the same process, so the speed-up is measured under the same machine load.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from streams.sentiment import get_engine

REPO = Path(__file__).resolve().parents[1]
CSV = REPO / ".." / "shared" / "data" / "reviews_train.csv"
CLASSES = {"short": (1, 20), "medium": (21, 100), "long": (101, 10**9)}


def load_reviews() -> list[str]:
    if not CSV.is_file():
        sys.exit(f"{CSV.resolve()} not found: put the shared data set beside the repository")
    with CSV.open(encoding="utf-8", newline="") as file:
        return [row["review"] for row in csv.DictReader(file) if row["review"]]


def timed(
    score: Callable[[Sequence[str]], list[float]], texts: list[str]
) -> tuple[float, list[float]]:
    started = time.perf_counter()
    scores = score(texts)
    return len(texts) / (time.perf_counter() - started), scores


def one_by_one(score: Callable[[str], float]) -> Callable[[Sequence[str]], list[float]]:
    return lambda texts: [score(text) for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000, help="random reviews (default 2000)")
    parser.add_argument("--per-class", type=int, default=300, help="reviews per length class")
    parser.add_argument("--seed", type=int, default=7, help="seed of the fixed sample")
    args = parser.parse_args()

    reviews = load_reviews()
    rng = random.Random(args.seed)
    sets = {f"sample of {args.sample}": rng.sample(reviews, args.sample)}
    for name, (low, high) in CLASSES.items():
        fitting = [text for text in reviews if low <= len(text) <= high]
        sets[f"{name} ({low}-{high if high < 10**9 else ''} chars)"] = rng.sample(
            fitting, min(args.per_class, len(fitting))
        )

    started = time.perf_counter()
    fast = get_engine("fast")
    fast.score_batch(["预热：加载编译好的分词内核"])
    load_s = time.perf_counter() - started
    snownlp = get_engine("snownlp")
    snownlp.score_batch(["预热"])

    print(f"fast engine ready in {load_s:.1f}s (tables from cache or built, kernel loaded)")
    print(f"one thread, texts/s; {len(reviews)} reviews in {CSV.name}\n")
    header = (
        f"{'texts':<26}{'n':>6}{'avg chars':>10}{'snownlp':>10}{'fast':>10}"
        f"{'fast 1-by-1':>13}{'speed-up':>10}{'max |Δ|':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, texts in sets.items():
        ref_rate, ref = timed(snownlp.score_batch, texts)
        fast_rate, got = timed(fast.score_batch, texts)
        single_rate, single = timed(one_by_one(fast.score), texts)
        delta = max(abs(a - b) for a, b in zip(got + single, ref + ref, strict=True))
        avg = sum(map(len, texts)) / len(texts)
        print(
            f"{name:<26}{len(texts):>6}{avg:>10.0f}{ref_rate:>10.0f}{fast_rate:>10.0f}"
            f"{single_rate:>13.0f}{fast_rate / ref_rate:>9.0f}x{delta:>10.1g}"
        )


if __name__ == "__main__":
    main()
