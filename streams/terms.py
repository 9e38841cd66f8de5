"""Understanding stage: term sets (keywords, English phrases, regexes) matched in one pass.

A term set's keywords go into an Aho-Corasick automaton (pyahocorasick), which
finds every keyword in a text in one scan whatever their number; only the few
regex patterns are run as regexes. The result is what one case-insensitive
alternation regex (longest keyword first, then English keywords, then patterns)
would find: :attr:`TermSet.regex` is that regex, kept as the reference and for
the rare text whose lower-case form has another length (``İ``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import ahocorasick

_SPACE_RUN = re.compile(r"\s+")
#: whitespace the automaton cannot see as one plain space: runs, tabs, new lines...
_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]")


def _is_word(char: str) -> bool:
    """What ``\\w`` matches in a ``str`` regex: letters, digits (any script) and ``_``."""
    return char.isalnum() or char == "_"


def _squeeze(text: str) -> str:
    return _SPACE_RUN.sub(" ", text)


@dataclass(frozen=True)
class _Keyword:
    term: str  # as reported: lower case, inner whitespace one space
    english: bool  # needs a word boundary at both ends
    size: int  # length in the squeezed text


@dataclass(frozen=True, slots=True)
class Match:
    """A matched term (lower-cased, whitespace runs as one space) and where it is in the text."""

    term: str
    start: int
    end: int


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    rank: tuple[int, int]  # at one start: Chinese before English, longer before shorter
    term: str


class Haystack:
    """A text prepared once for every term set: lower-cased, whitespace runs squeezed.

    ``origin[i]`` is where character ``i`` of the squeezed text was in the
    original, so spans map back (patterns and word boundaries use the original).
    """

    __slots__ = ("exact", "origin", "squeezed", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        lowered = text.lower()
        self.exact = len(lowered) == len(text)  # False: the term sets fall back to the regex
        self.origin: list[int] | None = None
        self.squeezed = lowered
        if self.exact and _ODD_SPACE.search(lowered):
            origin: list[int] = []
            parts: list[str] = []
            last = 0
            for run in _SPACE_RUN.finditer(lowered):
                parts.append(lowered[last : run.start()])
                origin.extend(range(last, run.start()))
                parts.append(" ")
                origin.append(run.start())
                last = run.end()
            parts.append(lowered[last:])
            origin.extend(range(last, len(lowered)))
            self.squeezed = "".join(parts)
            self.origin = origin

    @classmethod
    def of(cls, text: str | Haystack) -> Haystack:
        return text if isinstance(text, Haystack) else cls(text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the squeezed text, in the original text."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1

    def bounded(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` has a word boundary (``\\b``) at both ends."""
        text = self.text

        def boundary(i: int) -> bool:
            before = i > 0 and _is_word(text[i - 1])
            after = i < len(text) and _is_word(text[i])
            return before != after

        return boundary(start) and boundary(end)


@dataclass(frozen=True, eq=False)
class TermSet:
    """Words that mean one thing (a topic, a crisis category), matched case-insensitively.

    Chinese keywords match anywhere; English ones only on word boundaries, so
    ``pay`` does not fire inside ``display``; whitespace inside a keyword matches
    any run of whitespace; patterns are regexes as written.
    """

    name: str
    regex: re.Pattern[str]
    automaton: ahocorasick.Automaton | None
    patterns: re.Pattern[str] | None

    @classmethod
    def compile(
        cls,
        name: str,
        keywords: Sequence[str] = (),
        keywords_en: Sequence[str] = (),
        patterns: Sequence[str] = (),
    ) -> TermSet:
        chinese = sorted(
            {_squeeze(k.strip()) for k in keywords if k.strip()}, key=len, reverse=True
        )
        english = sorted(
            {_squeeze(k.strip()) for k in keywords_en if k.strip()}, key=len, reverse=True
        )

        def literal(keyword: str) -> str:
            return r"\s+".join(re.escape(word) for word in keyword.split(" "))

        parts = [literal(k) for k in chinese]
        parts += [rf"\b{literal(k)}\b" for k in english]
        parts += [f"(?:{p})" for p in patterns]
        if not parts:
            msg = f"term set {name!r} has no keywords, keywords_en or patterns"
            raise ValueError(msg)
        automaton = None
        if chinese or english:
            automaton = ahocorasick.Automaton()
            found: dict[str, list[_Keyword]] = {}
            for keyword, is_english in [(k, False) for k in chinese] + [(k, True) for k in english]:
                term = keyword.lower()
                found.setdefault(term, []).append(_Keyword(term, is_english, len(term)))
            for term, entries in found.items():
                automaton.add_word(term, tuple(entries))
            automaton.make_automaton()
        joined = "|".join(f"(?:{p})" for p in patterns)
        return cls(
            name,
            re.compile("|".join(parts), re.IGNORECASE),
            automaton,
            re.compile(joined, re.IGNORECASE) if patterns else None,
        )

    def _occurrences(self, hay: Haystack) -> Iterator[_Span]:
        """Every keyword occurrence (overlapping) in the original text, as the automaton
        finds them; English ones only where they have their word boundaries."""
        if self.automaton is None:
            return
        for last, entries in self.automaton.iter(hay.squeezed):
            for keyword in entries:
                start, end = hay.span(last - keyword.size + 1, last + 1)
                if not keyword.english or hay.bounded(start, end):
                    yield _Span(start, end, (keyword.english, -keyword.size), keyword.term)

    def search(self, text: str | Haystack) -> bool:
        """Whether any term of the set occurs in ``text``."""
        hay = Haystack.of(text)
        if not hay.exact:
            return self.regex.search(hay.text) is not None
        if next(self._occurrences(hay), None) is not None:
            return True
        return self.patterns is not None and self.patterns.search(hay.text) is not None

    def finditer(self, text: str | Haystack) -> list[Match]:
        """Every match with its span in the original text, as the alternation regex takes
        them: leftmost first, never overlapping (a term may come several times)."""
        hay = Haystack.of(text)
        if not hay.exact:
            return [
                Match(_squeeze(m.group(0).lower()), m.start(), m.end())
                for m in self.regex.finditer(hay.text)
            ]
        # as the alternation regex prefers them: by start, then Chinese first, longer first
        spans = sorted(self._occurrences(hay), key=lambda s: (s.start, s.rank))
        found: list[Match] = []
        pos = i = 0
        while True:
            while i < len(spans) and spans[i].start < pos:
                i += 1
            span = spans[i] if i < len(spans) else None
            match = self.patterns.search(hay.text, pos) if self.patterns is not None else None
            if span is not None and (match is None or span.start <= match.start()):
                found.append(Match(span.term, span.start, span.end))
                pos = span.end
            elif match is not None:
                found.append(Match(_squeeze(match.group(0).lower()), match.start(), match.end()))
                pos = max(match.end(), match.start() + 1)
            else:
                break
        return found

    def findall(self, text: str | Haystack) -> list[str]:
        """Distinct matched terms in order of first appearance (lower-cased), taken as the
        alternation regex takes them: leftmost first, never overlapping."""
        return list(dict.fromkeys(m.term for m in self.finditer(text)))

    def occurrences(self, text: str | Haystack) -> list[Match]:
        """Every keyword occurrence, overlapping ones included (patterns are not run):
        for cue words, where the caller decides between overlapping candidates."""
        hay = Haystack.of(text)
        if not hay.exact:
            return [
                Match(_squeeze(m.group(0).lower()), m.start(), m.end())
                for m in self.regex.finditer(hay.text)
            ]
        return [Match(s.term, s.start, s.end) for s in self._occurrences(hay)]


def check_pattern(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable regex, or None when it is."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    if compiled.search(""):
        return "matches the empty string, so it would match every text"
    return None
