"""Understanding stage: does a text assert the crisis or complaint terms it contains?

用了三个月没有漏电 names 漏电 to deny it, 担心会过敏 fears an allergy, 说会爆炸的都是谣言
calls an explosion a rumour, 防爆膜 is a product feature: none is a crisis. The
:class:`Judge` decides term by term from the words of the term's clause, with the
vocabulary of the taxonomy's ``assertions`` section. Only clauses holding a term
are looked at, and a clause is segmented into words (jieba, loaded once, on first
need) only when a cue word occurs in it, so most items cost a few string searches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from streams.segmentation import segmenter
from streams.terms import Match, TermSet

Verdict = Literal["asserted", "negated", "hypothetical", "rumour", "elsewhere", "opposite"]

NEGATOR = "negator"
AFTER = "negator_after"
HYPOTHETICAL = "hypothetical"
HEARSAY = "hearsay"
MODAL = "modal"
RUMOUR = "rumour"
ELSEWHERE = "elsewhere"
THIS_ONE = "this_one"
BREAKER = "breaker"
#: cue kinds that can change a verdict; a clause with none of them is not segmented
NONE: frozenset[str] = frozenset()
DECISIVE = frozenset({NEGATOR, AFTER, HYPOTHETICAL, HEARSAY, RUMOUR, ELSEWHERE})


@dataclass(frozen=True, slots=True)
class Hit:
    """A matched term: its category (a crisis code, or ``complaint``) and its span."""

    term: str
    category: str
    start: int
    end: int


@dataclass(frozen=True)
class Vocabulary:
    """The cue words, as the taxonomy's ``assertions`` section lists them."""

    clause_marks: str
    sentence_marks: str
    negators: Sequence[str]
    negation_tokens: int
    negators_after: Sequence[str]
    after_tails: Sequence[str]
    hypothetical: Sequence[str]
    hypothetical_tokens: int
    questions: Sequence[str]
    perfective: Sequence[str]
    hearsay: Sequence[str]
    modals: Sequence[str]
    denials: Sequence[str]
    rumour: Sequence[str]
    elsewhere: Sequence[str]
    this_one: Sequence[str]
    breakers: Sequence[str]
    coordinators: Sequence[str]
    opposites: Sequence[str]


@dataclass(frozen=True, slots=True)
class _Cue:
    kinds: frozenset[str]
    start: int  # in the whole text
    end: int


@dataclass
class _Clause:
    start: int
    end: int
    mark: str  # the punctuation that closed it ("" at the end of the text)
    sentence: int  # clauses of one sentence share this number
    cues: list[_Cue] = field(default_factory=list)
    bounds: list[int] | None = None  # word boundaries (absolute), when segmented
    question: bool = False


@dataclass
class _Text:
    """One text being judged: its clauses, built on first need."""

    text: str
    low: str  # lower-cased, same length (English cue words)
    clauses: list[_Clause]
    built: set[int] = field(default_factory=set)

    def index_of(self, position: int) -> int:
        for i, clause in enumerate(self.clauses):
            if position < clause.end:
                return i
        return len(self.clauses) - 1


class Judge:
    """Decides which matched terms a text asserts (see :meth:`verdicts`)."""

    def __init__(self, vocabulary: Vocabulary, words: Iterable[str] = ()) -> None:
        self.vocabulary = v = vocabulary
        kinds: dict[str, set[str]] = {}
        for kind, cues in (
            (NEGATOR, v.negators),
            # a word that negates after a term negates before it too (不存在漏电)
            (NEGATOR, v.negators_after),
            (AFTER, v.negators_after),
            (HYPOTHETICAL, v.hypothetical),
            (HEARSAY, v.hearsay),
            (MODAL, v.modals),
            (RUMOUR, v.rumour),
            (ELSEWHERE, v.elsewhere),
            (THIS_ONE, v.this_one),
            (BREAKER, v.breakers),
        ):
            for cue in cues:
                kinds.setdefault(cue.lower(), set()).add(kind)
        self.kinds = {cue: frozenset(k) for cue, k in kinds.items()}
        self.cues = TermSet.compile("cues", list(self.kinds))
        self.opposites = TermSet.compile("opposites", v.opposites) if v.opposites else None
        self.denials = tuple(d.lower() for d in v.denials)
        self.tails = frozenset(v.after_tails)
        self.after = tuple(sorted({c.lower() for c in v.negators_after}, key=len, reverse=True))
        self.coordinators = tuple(sorted(v.coordinators, key=len, reverse=True))
        marks = re.escape(v.clause_marks)
        # a space between two Chinese characters separates clauses as a comma would
        self.splitter = re.compile(rf"[{marks}]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
        self.sentence_marks = frozenset(v.sentence_marks)
        # segmentation keeps the terms whole (不/过敏, not 不过/敏); cue words need no
        # entry: a cue of several words (一点都不) counts when its two ends are boundaries
        self.words = tuple(dict.fromkeys(w for w in words if len(w) > 1))

    # -- the verdicts -------------------------------------------------------

    def asserted(
        self, text: str, hits: Sequence[Hit], threats: frozenset[str] = frozenset()
    ) -> list[Hit]:
        """The hits the text asserts, in order (``threats``: categories of threats)."""
        return [h for h, verdict in self.verdicts(text, hits, threats) if verdict == "asserted"]

    def verdicts(
        self, text: str, hits: Sequence[Hit], threats: frozenset[str] = frozenset()
    ) -> list[tuple[Hit, Verdict]]:
        """Each hit (sorted by position) with what the text does with it.

        ``threats`` are categories whose terms are threats (起诉, 曝光): a
        condition, a question or a fear does not weaken them, a negation does.
        """
        if not hits:
            return []
        doc = _Text(text, lower(text), self._clauses(text))
        guarded = self._opposite_spans(doc.low)
        result: list[tuple[Hit, Verdict]] = []
        previous: tuple[Hit, Verdict, int] | None = None
        for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
            index = doc.index_of(hit.start)
            clause = self._clause(doc, index)
            if any(s < hit.end and hit.start < e for s, e in guarded):
                verdict: Verdict = "opposite"
            else:
                prior = previous if previous is not None and previous[2] == index else None
                verdict = self._judge(doc, index, clause, hit, hit.category in threats, prior)
            result.append((hit, verdict))
            previous = (hit, verdict, index)
        return result

    def _judge(
        self,
        doc: _Text,
        index: int,
        clause: _Clause,
        hit: Hit,
        threat: bool,
        prior: tuple[Hit, Verdict, int] | None,
    ) -> Verdict:
        v = self.vocabulary
        # cue words inside a pattern's match count as before it (电池没鼓包, 就爆了)
        before = [
            c for c in clause.cues if c.end <= hit.start or hit.start < c.start < c.end <= hit.end
        ]
        scope_start = max((c.end for c in before if BREAKER in c.kinds), default=clause.start)
        scope = [c for c in before if c.start >= scope_start]
        if self._rumour(doc, index, scope_start):
            return "rumour"
        hearsay = [c for c in scope if HEARSAY in c.kinds]
        if hearsay:
            said = hearsay[0].end
            modal = any(MODAL in c.kinds and c.end >= said for c in scope)  # 说会 is both
            if (modal and not threat) or any(d in doc.low[hit.end :] for d in self.denials):
                return "rumour"
        # another product is the subject of the clause until ours is named again
        # (上一个用两次就冒烟: a breaker does not change the subject)
        others = [c.end for c in before if ELSEWHERE in c.kinds]
        if others and not any(THIS_ONE in c.kinds and c.start >= others[-1] for c in before):
            return "elsewhere"
        if prior is not None:
            last, verdict, _ = prior
            joined = last.end <= hit.start and last.start >= scope_start and verdict != "opposite"
            if joined and self._joined(doc.text[last.end : hit.start]):
                return verdict
        perfective = doc.text.startswith(tuple(v.perfective), hit.end)
        if not threat:
            if any(
                HYPOTHETICAL in c.kinds
                and _distance(clause, c.end, hit.start) <= v.hypothetical_tokens
                for c in scope
            ):
                return "hypothetical"
            if clause.question and not perfective:
                return "hypothetical"
        floor = max(scope_start, prior[0].end) if prior is not None else scope_start
        negations = [c for c in scope if NEGATOR in c.kinds and c.start >= floor]
        if negations and _distance(clause, negations[-1].end, hit.start) <= v.negation_tokens:
            # the nearest negation, unless one right before it cancels it (不是没有; not
            # the 不 of 不痒 in 不痒不过敏)
            nearest = negations[-1]
            if not any(
                c.end <= nearest.start and _distance(clause, c.end, nearest.start) == 0
                for c in negations[:-1]
            ):
                return "negated"
        if not perfective and self._negated_after(doc.text, clause, hit):
            return "negated"
        if self._answered_no(doc, index):
            return "negated"
        return "asserted"

    def _rumour(self, doc: _Text, index: int, scope_start: int) -> bool:
        """Whether the term's clause (from its scope on) or a later clause of its sentence
        calls the claim a rumour (and does not deny that it is one: 这不是谣言)."""

        def called(c: _Clause, after: int) -> bool:
            for cue in c.cues:
                if RUMOUR in cue.kinds and cue.start >= after:
                    denied = any(
                        NEGATOR in n.kinds and n.end <= cue.start <= n.end + 1 for n in c.cues
                    )
                    if not denied:
                        return True
            return False

        if called(self._clause(doc, index), scope_start):
            return True
        sentence = doc.clauses[index].sentence
        for later in range(index + 1, len(doc.clauses)):
            clause = doc.clauses[later]
            if clause.sentence != sentence:
                break
            # segment a later clause only when a rumour word is in it at all
            words = self.cues.occurrences(doc.low[clause.start : clause.end])
            if any(RUMOUR in self.kinds.get(m.term, NONE) for m in words) and called(
                self._clause(doc, later), clause.start
            ):
                return True
        return False

    def _negated_after(self, text: str, clause: _Clause, hit: Hit) -> bool:
        """漏电什么的完全不存在, 过敏反应一次都没有: a negation after the term that ends
        its clause (only ``after_tails`` may follow it)."""
        for cue in clause.cues:
            if cue.start < hit.end or AFTER not in cue.kinds:
                continue
            between = [c for c in clause.cues if hit.end <= c.start and c.end <= cue.start]
            if any(BREAKER in c.kinds for c in between):
                return False
            if _distance(clause, hit.end, cue.start) > self.vocabulary.negation_tokens:
                return False
            tail = text[cue.end : clause.end].strip()
            return not tail or tail in self.tails
        return False

    def _answered_no(self, doc: _Text, index: int) -> bool:
        """过敏？没有的事: the clause asks, and the next one answers no."""
        if "？" not in doc.clauses[index].mark and "?" not in doc.clauses[index].mark:
            return False
        if index + 1 >= len(doc.clauses):
            return False
        answer = doc.clauses[index + 1]
        return doc.low[answer.start : answer.end].strip().startswith(self.after)

    def _joined(self, gap: str) -> bool:
        """Whether two terms are only joined by coordinators (过敏、红肿或刺痛)."""
        rest = gap
        for word in self.coordinators:
            rest = rest.replace(word, "")
        return not rest.strip()

    # -- clauses and cues ---------------------------------------------------

    def _opposite_spans(self, low: str) -> list[tuple[int, int]]:
        if self.opposites is None:
            return []
        return [(m.start, m.end) for m in self.opposites.occurrences(low)]

    def _clauses(self, text: str) -> list[_Clause]:
        clauses: list[_Clause] = []
        last = 0
        sentence = 0
        for cut in self.splitter.finditer(text):
            clauses.append(_Clause(last, cut.start(), cut.group(0), sentence))
            if any(ch in self.sentence_marks for ch in cut.group(0)):
                sentence += 1
            last = cut.end()
        clauses.append(_Clause(last, len(text), "", sentence))
        return clauses

    def _clause(self, doc: _Text, index: int) -> _Clause:
        """The clause with its cue words found (once per clause, on first need)."""
        clause = doc.clauses[index]
        if index not in doc.built:
            self._build(doc.text, doc.low, clause)
            doc.built.add(index)
        return clause

    def _build(self, text: str, low: str, clause: _Clause) -> None:
        """The clause's cue words, each a whole word of the clause, overlaps resolved."""
        segment = low[clause.start : clause.end]
        found = self.cues.occurrences(segment)
        asks = segment.rstrip().endswith(tuple(self.vocabulary.questions))
        if not asks and not any(self.kinds.get(m.term, NONE) & DECISIVE for m in found):
            clause.cues = [
                _Cue(self.kinds.get(m.term, NONE), clause.start + m.start, clause.start + m.end)
                for m in _resolve(found)
            ]
            return
        words = segmenter(self.words).tokenize(text[clause.start : clause.end], HMM=False)
        bounds = {0}
        last_word = ""
        for word, _, end in words:
            bounds.add(end)
            if word.strip():
                last_word = word
        aligned = [m for m in found if m.start in bounds and m.end in bounds]
        clause.cues = [
            _Cue(self.kinds.get(m.term, NONE), clause.start + m.start, clause.start + m.end)
            for m in _resolve(aligned)
        ]
        clause.bounds = sorted(clause.start + b for b in bounds)
        clause.question = last_word in self.vocabulary.questions

    def sentence_span(self, text: str, index: int) -> tuple[int, int]:
        """Where the sentence ``index`` is in starts and ends."""
        start = self.sentence_start(text, index, index)
        end = index
        while end < len(text) and text[end] not in self.sentence_marks:
            end += 1
        return start, end

    def sentence_start(self, text: str, index: int, within: int) -> int:
        """Where the window of ``within`` characters before ``index`` starts, cut at the
        start of the sentence ``index`` is in."""
        start = max(0, index - within)
        for i in range(index - 1, start - 1, -1):
            if text[i] in self.sentence_marks:
                return i + 1
        return start


def _resolve(found: Sequence[Match]) -> list[Match]:
    """Cue words without those nested in a longer one (不会 in 会不会, 没有 in 没有发生);
    overlapping ones both stay (完全不 and 不存在 in 完全不存在), in text order."""
    return sorted(
        (
            m
            for m in found
            if not any(
                o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                for o in found
            )
        ),
        key=lambda m: (m.start, m.end),
    )


def lower(text: str) -> str:
    """``text`` in lower case, character for character (İ stays İ), so spans stay put."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _distance(clause: _Clause, start: int, end: int) -> int:
    """Words between two positions of a clause (characters when it was not segmented)."""
    if clause.bounds is None:
        return end - start
    return sum(1 for b in clause.bounds if start < b <= end)


__all__ = ["Hit", "Judge", "Verdict", "Vocabulary", "lower"]
