"""Understanding stage: severity 0-3 from crisis terms (safety, legal, media...) and reach."""

from __future__ import annotations

from dataclasses import dataclass, field

from streams.taxonomy import Taxonomy

#: Reach (followers, views) from which a complaint is raised one severity level.
REACH_HIGH = 10_000
#: Reach from which a complaint is raised two levels: it is being seen by many.
REACH_VIRAL = 100_000


@dataclass(frozen=True)
class Severity:
    """How urgent an item is, and the crisis terms that made it so."""

    level: int
    categories: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)


def assess_severity(
    taxonomy: Taxonomy,
    text: str,
    *,
    is_complaint: bool,
    reach: int | None,
    found: dict[str, list[str]] | None = None,
    reach_high: int = REACH_HIGH,
    reach_viral: int = REACH_VIRAL,
) -> Severity:
    """0 nothing wrong, 1 a complaint, 2 a complaint that may escalate, 3 a crisis.

    The highest crisis category the text asserts sets the floor (safety 3;
    legal, regulators, media, security 2); a complaint is at least 1; a
    complaint with high reach goes up one level, a viral one two; never above 3.
    ``found`` (category → terms) is what the caller found already.
    """
    if found is None:
        found = taxonomy.match_crisis(text) if text else {}
    level = max((taxonomy.crisis_levels[c] for c in found), default=0)
    if is_complaint or found:
        level = max(level, 1)
        if reach is not None and reach >= reach_viral:
            level += 2
        elif reach is not None and reach >= reach_high:
            level += 1
    terms = [term for terms in found.values() for term in terms]
    return Severity(min(level, 3), list(found), list(dict.fromkeys(terms)))
