"""Crisis detection: precision, recall and false-crisis rate, keyword-only vs judged terms.

    .venv/bin/python bench/crisis.py [--misses] [--reviews N]

Reads the hand-written sets under tests/data (``crisis_eval.jsonl``, which the
rules were tuned on, and ``crisis_holdout.jsonl``, written before any tuning and
never tuned on) and runs the understanding stage (``streams.scoring.understand``)
on each text twice: with the crisis keywords alone, as written (``keyword_only``,
the matcher before terms were judged in their clause), and as the worker runs it.
An item is raised as a crisis when the stage keeps a crisis term. It prints both
sets side by side, then the stage's µs per event (CPU time) on the sets and on the first N
reviews of the shared labelled set when it is there (no crisis word in most: what
a real stream costs), with how many of those reviews each matcher raises as a
crisis (they are unlabelled: read the count, not a rate). ``--misses`` lists the evaluation set's misses and false
crises; the hold-out's are never listed, so that nobody tunes on them.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from radar.events import FeedbackEvent, make_event_id  # noqa: E402
from streams.scoring import understand  # noqa: E402
from streams.segmentation import segmenter  # noqa: E402
from streams.taxonomy import default_taxonomy  # noqa: E402

SETS = {
    "evaluation": ROOT / "tests" / "data" / "crisis_eval.jsonl",
    "hold-out": ROOT / "tests" / "data" / "crisis_holdout.jsonl",
}
REVIEWS = ROOT.parent / "shared" / "data" / "reviews_train.csv"
T0 = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    false_crisis_rate: float
    crises: int
    others: int
    misses: list[str]
    false_alarms: list[str]


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def event(i: int, text: str) -> FeedbackEvent:
    return FeedbackEvent(
        id=make_event_id("review", "bench", str(i)),
        channel="review",
        source="bench",
        external_id=str(i),
        text=text,
        created_at=T0,
        ingested_at=T0,
    )


def raised(events: list[FeedbackEvent], keyword_only: bool) -> list[bool]:
    taxonomy = default_taxonomy()
    return [
        bool(understand(e, 0.5, taxonomy, keyword_only=keyword_only)["crisis_terms"])
        for e in events
    ]


def figures(rows: list[dict[str, object]], keyword_only: bool) -> Figures:
    events = [event(i, str(r["text"])) for i, r in enumerate(rows)]
    got = raised(events, keyword_only)
    truth = [bool(r["crisis"]) for r in rows]
    tp = sum(g and t for g, t in zip(got, truth, strict=True))
    fp = sum(g and not t for g, t in zip(got, truth, strict=True))
    crises = sum(truth)
    others = len(truth) - crises
    return Figures(
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / crises if crises else 1.0,
        false_crisis_rate=fp / others if others else 0.0,
        crises=crises,
        others=others,
        misses=[str(r["text"]) for r, g in zip(rows, got, strict=True) if r["crisis"] and not g],
        false_alarms=[
            f"{r['text']}  [{r.get('kind')}]"
            for r, g in zip(rows, got, strict=True)
            if g and not r["crisis"]
        ],
    )


def micros_per_event(texts: list[str], rounds: int = 7) -> tuple[float, float]:
    """µs per event of the understanding stage (sentiment excluded), keyword-only and
    judged: CPU time, the two interleaved round by round, the best round of each (the
    machine may be shared)."""
    taxonomy = default_taxonomy()
    events = [event(i, t) for i, t in enumerate(texts)]
    best = {True: float("inf"), False: float("inf")}
    for _ in range(rounds):
        for keyword_only in (True, False):
            started = time.process_time()
            for e in events:
                understand(e, 0.5, taxonomy, keyword_only=keyword_only)
            best[keyword_only] = min(best[keyword_only], time.process_time() - started)
    return best[True] / len(events) * 1e6, best[False] / len(events) * 1e6


def reviews(limit: int) -> list[str]:
    if not REVIEWS.is_file() or limit <= 0:
        return []
    with REVIEWS.open(encoding="utf-8") as fh:
        rows = zip(range(limit), csv.DictReader(fh), strict=False)
        return [row["review"] for _, row in rows if row.get("review")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list the evaluation set's misses and false crises (never the hold-out's)",
    )
    parser.add_argument("--reviews", type=int, default=5000, help="reviews timed (0: none)")
    args = parser.parse_args()

    started = time.perf_counter()
    segmenter(default_taxonomy().judge.words if default_taxonomy().judge else ())
    print(f"word segmenter (jieba) loaded in {time.perf_counter() - started:.2f} s")

    header = f"{'set':<11} {'texts':>5} {'matcher':<13} {'precision':>9} {'recall':>7} {'false-crisis rate':>17}"
    print(header)
    print("-" * len(header))
    results: dict[tuple[str, bool], Figures] = {}
    for name, path in SETS.items():
        rows = load(path)
        for keyword_only in (True, False):
            f = figures(rows, keyword_only)
            results[name, keyword_only] = f
            matcher = "keyword-only" if keyword_only else "judged"
            print(
                f"{name:<11} {len(rows):>5} {matcher:<13} {f.precision:>9.3f} {f.recall:>7.3f} "
                f"{f.false_crisis_rate:>17.3f}"
            )
    print(
        "(crises / others: "
        + ", ".join(
            f"{name} {results[name, False].crises}/{results[name, False].others}" for name in SETS
        )
        + ")"
    )

    print()
    print(f"{'understanding stage':<36} {'keyword-only':>12} {'judged':>8}")
    timed = {name: [str(r["text"]) for r in load(path)] for name, path in SETS.items()}
    sample = reviews(args.reviews)
    if sample:
        timed[f"{len(sample):,} shared reviews"] = sample
    for name, texts in timed.items():
        before, after = micros_per_event(texts)
        print(f"{'µs/event, ' + name:<36} {before:>12.1f} {after:>8.1f}")
    if sample:
        events = [event(i, t) for i, t in enumerate(sample)]
        before_n, after_n = (sum(raised(events, k)) for k in (True, False))
        label = f"raised on {len(sample):,} shared reviews"
        print(f"{label:<36} {before_n:>12} {after_n:>8}  (unlabelled: mostly books and goods)")

    if args.misses:
        for name in ("evaluation",):  # the hold-out is only ever counted, never read
            f = results[name, False]
            print(f"\n{name}: missed crises ({len(f.misses)})")
            for text in f.misses:
                print("  ", text)
            print(f"{name}: false crises ({len(f.false_alarms)})")
            for text in f.false_alarms:
                print("  ", text)


if __name__ == "__main__":
    main()
