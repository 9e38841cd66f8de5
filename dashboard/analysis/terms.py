"""Dashboard analysis: terms that emerge in recent messages compared with a baseline period.

Chinese text is cut into character bigrams (no word list needed), English into
words; a term counts once per message. Terms are ranked by the z-score of the
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008), which keeps rare terms from topping the list on one or two mentions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import pandas as pd

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z']{2,}")
#: Characters that make a bigram a function-word fragment rather than a term.
STOP_CHARS = frozenset(
    "的了是我你他她它们这那就都也很还在有和与及或被把吗呢吧啊呀哦嗯么个一不没给说要会到过让"
)
STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "you",
        "was",
        "are",
        "but",
        "not",
        "have",
        "this",
        "that",
        "with",
        "they",
        "very",
    ]
)


def terms(text: str) -> set[str]:
    """The distinct terms of one message."""
    found: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair[0] not in STOP_CHARS and pair[1] not in STOP_CHARS:
                found.add(pair)
    found.update(w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS)
    return found


def document_frequency(texts: Iterable[str]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    n = 0
    for text in texts:
        counts.update(terms(text))
        n += 1
    return counts, n


#: Messages the time before must hold for a comparison to mean anything.
MIN_BASELINE = 50


def emerging_terms(
    recent: Iterable[str],
    baseline: Iterable[str],
    *,
    top: int = 15,
    min_count: int = 3,
    prior: float = 10.0,
    min_baseline: int = MIN_BASELINE,
) -> pd.DataFrame:
    """The ``top`` terms most over-represented in ``recent`` vs ``baseline`` messages.

    Empty when the baseline has fewer than ``min_baseline`` messages: against
    (almost) nothing, every common word would look new.
    """
    columns = ["term", "recent", "baseline", "recent_share", "baseline_share", "z"]
    recent_df, n_recent = document_frequency(recent)
    base_df, n_base = document_frequency(baseline)
    if n_recent == 0 or n_base < min_baseline:
        return pd.DataFrame(columns=columns)
    total = recent_df + base_df
    grand = sum(total.values()) or 1
    rows = []
    for term, y in recent_df.items():
        if y < min_count:
            continue
        x = base_df.get(term, 0)
        alpha = prior * total[term] / grand * len(total)  # prior mass follows overall frequency
        alpha = max(alpha, 0.01)
        a0 = prior * len(total)
        delta = math.log((y + alpha) / (n_recent + a0 - y - alpha)) - math.log(
            (x + alpha) / (n_base + a0 - x - alpha)
        )
        z = delta / math.sqrt(1 / (y + alpha) + 1 / (x + alpha))
        rows.append((term, y, x, y / n_recent, x / n_base if n_base else 0.0, z))
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame[frame["z"] > 0].sort_values(["z", "recent"], ascending=False)
    return frame.head(top).reset_index(drop=True)
