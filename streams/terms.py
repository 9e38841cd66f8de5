"""Understanding stage: term sets (keywords, English phrases, regexes), one regex each."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TermSet:
    """Words that mean one thing (a topic, a crisis category), matched in one regex pass.

    Chinese keywords match anywhere; English ones only on word boundaries, so
    ``pay`` does not fire inside ``display``; patterns are regexes as written.
    """

    name: str
    regex: re.Pattern[str]

    @classmethod
    def compile(
        cls,
        name: str,
        keywords: Sequence[str] = (),
        keywords_en: Sequence[str] = (),
        patterns: Sequence[str] = (),
    ) -> TermSet:
        parts = [re.escape(k) for k in sorted(set(keywords), key=len, reverse=True)]
        parts += [
            r"\b" + re.escape(k).replace(r"\ ", r"\s+") + r"\b"
            for k in sorted(set(keywords_en), key=len, reverse=True)
        ]
        parts += [f"(?:{p})" for p in patterns]
        if not parts:
            msg = f"term set {name!r} has no keywords, keywords_en or patterns"
            raise ValueError(msg)
        return cls(name, re.compile("|".join(parts), re.IGNORECASE))

    def search(self, text: str) -> bool:
        return self.regex.search(text) is not None

    def findall(self, text: str) -> list[str]:
        """Distinct matched terms in order of first appearance (lower-cased)."""
        return list(dict.fromkeys(m.group(0).lower() for m in self.regex.finditer(text)))


def check_pattern(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable regex, or None when it is."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    if compiled.search(""):
        return "matches the empty string, so it would match every text"
    return None
