"""Sentiment: English texts, scored by VADER (vaderSentiment's rules and lexicon) on the 0..1 scale.

VADER's ``compound`` runs from -1 (most negative) to +1 (most positive) with 0
neutral; it maps linearly onto snownlp's convention, ``(compound + 1) / 2``, so
0.5 stays neutral and VADER's own "clearly positive" (compound >= 0.2) lands
above the dashboards' 0.6 line. Characters VADER cannot read (Han and other
non-Latin scripts) are replaced by spaces first, so a mixed text such as
"很nice" still shows VADER its word "nice".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from streams.sentiment.base import NEUTRAL, SentimentEngine

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER tokenises on white space and reads Latin letters, digits, punctuation and emoji
_UNREADABLE = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]+"
)


def compound_to_score(compound: float) -> float:
    """VADER's compound (-1..1) on the 0..1 positive-probability scale."""
    return min(1.0, max(0.0, (compound + 1.0) / 2.0))


def readable_part(text: str) -> str:
    """``text`` with runs of CJK characters (which VADER cannot read) replaced by a space."""
    return _UNREADABLE.sub(" ", text)


class EnglishEngine(SentimentEngine):
    """VADER for English texts; what the routing engines use for texts detected as ``en``."""

    name = "english"

    @cached_property
    def analyzer(self) -> SentimentIntensityAnalyzer:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()

    def score_batch(self, texts: Sequence[str]) -> list[float]:
        analyzer = self.analyzer
        scores = []
        for text in texts:
            readable = readable_part(text).strip()
            if not readable:
                scores.append(NEUTRAL)
                continue
            scores.append(compound_to_score(analyzer.polarity_scores(readable)["compound"]))
        return scores
