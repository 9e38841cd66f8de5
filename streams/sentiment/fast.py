"""Sentiment: the ``fast`` engine, snownlp's own scores (bit-identical) at 50-150x its speed.

``SnowNLP(text).sentiments`` is ``sentiment.classify(text)``: segment the text
(``seg.seg``), drop snownlp's stop words, and run its naive Bayes classifier.
This engine does the same three steps with snownlp's own model files, read
from the installed package: the segmenter's search compiled and its
log-probabilities tabulated (:mod:`streams.sentiment.segmenter`), the
classifier's log-frequencies computed once (:mod:`streams.sentiment.bayes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from radar.settings import CoreSettings
from streams.sentiment import snownlp_files
from streams.sentiment.base import NEUTRAL, SentimentEngine
from streams.sentiment.bayes import BayesScorer
from streams.sentiment.segmenter import Segmenter


class FastEngine(SentimentEngine):
    """snownlp's sentiment, same score for every text, computed without snownlp's slow paths.

    The segmenter's tables are derived from snownlp's ``seg.marshal`` the first
    time (seconds, plus compiling the kernel once per installation) and cached in
    ``cache_dir`` (default: the ``RADAR_CACHE_DIR`` setting); ``use_cache=False``
    keeps them in memory only.
    """

    name = "fast"

    def __init__(self, cache_dir: Path | None = None, *, use_cache: bool = True) -> None:
        if use_cache and cache_dir is None:
            cache_dir = CoreSettings().resolved_cache_dir
        self.segmenter = Segmenter.load(cache_dir if use_cache else None)
        self.stopwords = snownlp_files.stopwords()
        self.bayes = BayesScorer.load()

    def score_batch(self, texts: Sequence[str]) -> list[float]:
        stop = self.stopwords
        score = self.bayes.score
        scores = []
        for text, words in zip(texts, self.segmenter.seg_many(texts), strict=True):
            # snownlp divides by zero on an empty string; nothing to score is neutral
            scores.append(score([w for w in words if w not in stop]) if text else NEUTRAL)
        return scores

    def evidence(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """snownlp's scores, and whether its classifier has seen every (non-stop) word of each text.

        The second array tells texts like snownlp's training data (every word
        known, as in the reviews it learned from) from new kinds of text; the
        blend engine trusts snownlp differently on each.
        """
        stop = self.stopwords
        score = self.bayes.score
        seen = self.bayes.word_logs
        scores = np.empty(len(texts))
        familiar = np.empty(len(texts), dtype=np.bool_)
        for i, (text, words) in enumerate(zip(texts, self.segmenter.seg_many(texts), strict=True)):
            kept = [w for w in words if w not in stop]
            scores[i] = score(kept) if text else NEUTRAL
            familiar[i] = all(w in seen for w in kept)
        return scores, familiar
