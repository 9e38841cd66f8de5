"""Sentiment: how good an engine is on labelled texts (accuracy, ROC AUC, speed)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from streams.sentiment.base import SentimentEngine

#: a text is called positive when its score is above this
THRESHOLD = 0.5


def accuracy(labels: np.ndarray, scores: np.ndarray) -> float:
    """Share of texts whose side of :data:`THRESHOLD` matches their 0/1 label."""
    return float(np.mean((np.asarray(scores) > THRESHOLD) == (np.asarray(labels) == 1)))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative.

    Ties count one half (average ranks); NaN when only one class is present.
    """
    labels = np.asarray(labels) == 1
    scores = np.asarray(scores, dtype=np.float64)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # average rank within each run of tied scores
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    ends = np.r_[starts[1:], len(scores)]
    average = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(average, ends - starts)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass(frozen=True)
class CategoryResult:
    """Out-of-category figures for one held-out category."""

    category: str
    texts: int
    accuracy: float
    auc: float


@dataclass(frozen=True)
class Evaluation:
    """One engine's figures on one labelled set."""

    engine: str
    texts: int
    accuracy: float
    auc: float
    texts_per_second: float


def timed_scores(
    engine: SentimentEngine, texts: Sequence[str], batch_size: int = 1000
) -> tuple[np.ndarray, float]:
    """The engine's scores for ``texts`` (scored in batches) and texts per second."""
    scores: list[float] = []
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        scores.extend(engine.score_batch(texts[start : start + batch_size]))
    elapsed = max(time.perf_counter() - started, 1e-9)
    return np.asarray(scores, dtype=np.float64), len(texts) / elapsed


def evaluate(
    name: str, engine: SentimentEngine, texts: Sequence[str], labels: np.ndarray
) -> Evaluation:
    """Score ``texts`` with ``engine`` and compare with ``labels``."""
    scores, rate = timed_scores(engine, texts)
    return Evaluation(
        engine=name,
        texts=len(texts),
        accuracy=accuracy(labels, scores),
        auc=roc_auc(labels, scores),
        texts_per_second=rate,
    )
