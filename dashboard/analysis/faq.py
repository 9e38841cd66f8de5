"""Dashboard analysis: FAQ candidates, frequent question-like messages grouped by similarity.

A good FAQ answers most questions customers ask (the customer-service texts
say about 80%); the groups come with their share and the cumulative coverage
of the top groups, so a team can see how far the first ten entries would go.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from dashboard.analysis.terms import terms

_QUESTION = re.compile(
    r"[？?]|(?:怎么|怎样|如何|为什么|为啥|什么时候|多久|多长时间|能不能|可不可以|可以吗|能否|"
    r"有没有|是否|哪里|哪个|哪些|几天|多少钱|吗[。！!~～\s]*$)"
    r"|\b(?:how|what|when|why|where|which|can i|could you|does|do you|is it|is there)\b",
    re.IGNORECASE,
)
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def is_question(text: str) -> bool:
    """Whether a message asks something (question mark or question words)."""
    return bool(_QUESTION.search(text))


def normalise(text: str) -> str:
    return _NOISE.sub("", text.lower())


@dataclass
class FaqGroup:
    """Similar questions: a representative wording, how many, and examples."""

    question: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    signature: set[str] = field(default_factory=set)


def _similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def group_questions(
    texts: Iterable[str], *, threshold: float = 0.35, examples: int = 3, max_unique: int = 5000
) -> list[FaqGroup]:
    """Group question-like ``texts``; the most frequent wording represents its group."""
    wording: Counter[str] = Counter()
    first_seen: dict[str, str] = {}
    for text in texts:
        text = text.strip()
        if not text or not is_question(text):
            continue
        key = normalise(text)
        if not key:
            continue
        wording[key] += 1
        first_seen.setdefault(key, text)
    groups: list[FaqGroup] = []
    index: dict[str, set[int]] = defaultdict(set)  # term -> groups whose signature has it
    for key, count in wording.most_common(max_unique):
        text = first_seen[key]
        signature = terms(text)
        candidates = set().union(*(index[t] for t in signature)) if signature else set()
        best, best_score = None, threshold
        for g in candidates:
            score = _similarity(signature, groups[g].signature)
            if score >= best_score:
                best, best_score = g, score
        if best is None:
            groups.append(FaqGroup(question=text, signature=signature))
            best = len(groups) - 1
            for term in signature:
                index[term].add(best)
        group = groups[best]
        group.count += count
        if len(group.examples) < examples and text not in group.examples:
            group.examples.append(text)
    return sorted(groups, key=lambda g: -g.count)


def faq_table(groups: list[FaqGroup], top: int = 20) -> pd.DataFrame:
    """The top groups with their share of all questions and the cumulative coverage."""
    columns = ["question", "count", "share", "coverage", "examples"]
    total = sum(g.count for g in groups)
    if total == 0:
        return pd.DataFrame(columns=columns)
    rows, covered = [], 0
    for group in groups[:top]:
        covered += group.count
        rows.append(
            (group.question, group.count, group.count / total, covered / total,
             " | ".join(group.examples))
        )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
