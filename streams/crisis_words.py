"""Understanding stage: every crisis keyword, symptom and contaminant in one automaton.

Each word knows its owners (a crisis category, and for a symptom the cue words
that must come before it: 红肿 after 吃 or 用); one pass over a text finds them
all, with their spans, for :class:`streams.assertions.Judge` to judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streams.assertions import Hit, Judge, lower
from streams.terms import Haystack, TermSet

if TYPE_CHECKING:
    from streams.taxonomy import TermsSpec


@dataclass(frozen=True)
class Owner:
    """Who a crisis word belongs to: a category, and the cues it needs (symptoms)."""

    category: str
    cues: tuple[str, ...] = ()
    within: int = 0
    context: tuple[str, ...] = ()  # one must be in the sentence too


@dataclass(frozen=True, eq=False)
class CrisisWords:
    """Every crisis keyword, symptom and contaminant in one automaton (one pass a text)."""

    terms: TermSet
    owners: dict[str, tuple[Owner, ...]]  # matched term -> its owners, in taxonomy order
    # each with the text it cannot match without (run only on texts holding it)
    patterns: tuple[tuple[Owner, str, re.Pattern[str]], ...]

    @classmethod
    def compile(cls, groups: Sequence[tuple[Owner, TermsSpec]]) -> CrisisWords:
        owners: dict[str, list[Owner]] = {}
        chinese: list[str] = []
        english: list[str] = []
        for owner, spec in groups:
            for keyword, into in [(k, chinese) for k in spec.keywords] + [
                (k, english) for k in spec.keywords_en
            ]:
                into.append(keyword)
                entry = owners.setdefault(" ".join(keyword.lower().split()), [])
                if owner not in entry:
                    entry.append(owner)
        patterns = tuple(
            (owner, required(p), re.compile(p, re.IGNORECASE))
            for owner, spec in groups
            for p in spec.patterns
        )
        terms = TermSet.compile("crisis words", chinese, english)
        return cls(terms, {t: tuple(o) for t, o in owners.items()}, patterns)

    def find(self, hay: Haystack, judge: Judge) -> list[Hit]:
        """Every crisis word in the text whose cues (if it needs some) come before it;
        within a category, overlapping words resolve leftmost, then longest, first."""
        lowered = lower(hay.text)
        found: list[Hit] = []

        def cued(owner: Owner, start: int) -> bool:
            window = lowered[judge.sentence_start(hay.text, start, owner.within) : start]
            if not any(cue in window for cue in owner.cues):
                return False
            if not owner.context:
                return True
            first, last = judge.sentence_span(hay.text, start)
            sentence = lowered[first:last]
            return any(word in sentence for word in owner.context)

        for m in self.terms.occurrences(hay):
            categories = set()
            for owner in self.owners.get(m.term, ()):
                if owner.category not in categories and (not owner.cues or cued(owner, m.start)):
                    categories.add(owner.category)
                    found.append(Hit(m.term, owner.category, m.start, m.end))
        words = list(found)

        def spoken(category: str, start: int, end: int) -> bool:
            """A pattern is for what keywords cannot say: a keyword inside it speaks."""
            return any(w.category == category and start <= w.start < w.end <= end for w in words)

        for owner, needed, pattern in self.patterns:
            if needed not in hay.text:
                continue
            for p in pattern.finditer(hay.text):
                start, end = p.span()
                if (
                    end > start
                    and (not owner.cues or cued(owner, start))
                    and not spoken(owner.category, start, end)
                ):
                    term = " ".join(p.group(0).lower().split())
                    found.append(Hit(term, owner.category, start, end))
        chosen: list[Hit] = []
        ends: dict[str, int] = {}
        for hit in sorted(found, key=position):
            if hit.start >= ends.get(hit.category, -1):
                chosen.append(hit)
                ends[hit.category] = hit.end
        return chosen

    def category_of(self, term: str, levels: dict[str, int]) -> str | None:
        owners = self.owners.get(" ".join(term.lower().split()))
        if owners:
            return max(owners, key=lambda o: levels[o.category]).category
        candidates = [o.category for o, _, p in self.patterns if p.fullmatch(term)]
        return max(candidates, key=levels.__getitem__) if candidates else None


@dataclass(frozen=True)
class Terms:
    """The crisis and complaint terms a text asserts (each with its span), in text order."""

    crisis: list[Hit]
    complaint: list[Hit]

    def crisis_found(self) -> dict[str, list[str]]:
        """Crisis category → its distinct terms, in order of first appearance."""
        found: dict[str, list[str]] = {}
        for hit in self.crisis:
            terms = found.setdefault(hit.category, [])
            if hit.term not in terms:
                terms.append(hit.term)
        return found


def position(hit: Hit) -> tuple[int, int]:
    return hit.start, -hit.end


def outermost(hits: list[Hit]) -> list[Hit]:
    """Without hits inside a longer one of the same category (中毒 in 食物中毒)."""
    return [
        h
        for h in hits
        if not any(
            o is not h
            and o.category == h.category
            and o.start <= h.start
            and h.end <= o.end
            and (o.end - o.start) > (h.end - h.start)
            for o in hits
        )
    ]


def required(pattern: str) -> str:
    """The longest run of Chinese characters or digits every match of ``pattern`` holds
    ("" if none is sure): those at its top level, outside groups and classes, not optional.

    A pattern costs a regex pass over every text; a substring test first is about a
    hundred times cheaper, and most texts hold none of these words.
    """
    runs: list[str] = []
    run = ""
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        following = pattern[i + 1] if i + 1 < len(pattern) else ""
        if char == "\\":
            runs.append(run)
            run = ""
            i += 2
            continue
        if char == "[":
            runs.append(run)
            run = ""
            i = _class_end(pattern, i)
            continue
        if char == "{":  # a quantifier's bounds are no text
            runs.append(run)
            run = ""
            i = pattern.find("}", i) + 1 or len(pattern)
            continue
        if char in "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if depth == 0 and ("\u4e00" <= char <= "\u9fff" or char.isdigit()):
            if following in ("?", "*", "{"):
                runs.append(run)  # optional: the run so far is sure, this character not
                run = ""
            else:
                run += char
        else:
            runs.append(run)
            run = ""
        if char == "|" and depth == 0:
            return ""  # top-level alternatives: nothing is sure
        i += 1
    runs.append(run)
    return max(runs, key=len)


def _class_end(pattern: str, start: int) -> int:
    """The index after the character class that opens at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


__all__ = ["CrisisWords", "Owner", "Terms", "outermost", "position", "required"]
