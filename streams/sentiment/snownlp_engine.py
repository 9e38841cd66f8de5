"""Sentiment: the reference engine, snownlp itself (``SnowNLP(text).sentiments``)."""

from __future__ import annotations

from collections.abc import Sequence

from streams.sentiment.base import NEUTRAL, SentimentEngine


class SnowNLPEngine(SentimentEngine):
    """snownlp's own sentiment, unchanged; slow (pure-Python segmenter) but the reference."""

    name = "snownlp"

    def score_batch(self, texts: Sequence[str]) -> list[float]:
        from snownlp import SnowNLP

        scores = []
        for text in texts:
            # snownlp divides by zero on an empty string; nothing to score is neutral
            scores.append(float(SnowNLP(text).sentiments) if text else NEUTRAL)
        return scores
