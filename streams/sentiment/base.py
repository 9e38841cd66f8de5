"""Sentiment: the engine contract every scorer follows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

#: Score given to texts with nothing to score (empty or whitespace only): neutral.
NEUTRAL = 0.5


class SentimentEngine(ABC):
    """Scores texts on snownlp's scale: 0..1, the probability that the text is positive.

    ``score_batch`` is the hot path (the Faust stage calls it per batch); it
    must return one float per text, in order, and never raise for any string.
    """

    name: ClassVar[str]

    @abstractmethod
    def score_batch(self, texts: Sequence[str]) -> list[float]:
        """Scores for ``texts``, same length and order."""

    def score(self, text: str) -> float:
        return self.score_batch([text])[0]
