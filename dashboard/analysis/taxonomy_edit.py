"""Dashboard analysis: the taxonomy edit that adds an emerging term to a topic (a YAML line).

An emerging issue is a term no topic covers (``streams/emerging.py``). When it
lasts, the fix is to add it to a topic's keywords: this module reads the
taxonomy file's topics, suggests the topic whose keywords the issue's sample
messages hold most, and writes the topic's entry with the term added, in the
file's own flow style, ready to paste over the old lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml

#: The worker's taxonomy file, as shipped (``streams/taxonomy.yaml``).
TAXONOMY_FILE = "streams/taxonomy.yaml"


def shipped_taxonomy() -> str:
    """The text of the taxonomy the worker ships with."""
    return resources.files("streams").joinpath("taxonomy.yaml").read_text(encoding="utf-8")


def topics(text: str) -> dict[str, list[str]]:
    """Each topic's code and its Chinese keywords, in file order."""
    data: Any = yaml.safe_load(text) or {}
    return {
        str(t["code"]): [str(k) for k in t.get("keywords") or []]
        for t in data.get("topics") or []
        if isinstance(t, dict) and "code" in t
    }


def suggest_topic(text: str, samples: Iterable[str]) -> str | None:
    """The topic whose keywords the sample messages hold most (the first topic on a tie)."""
    found = topics(text)
    if not found:
        return None
    texts = list(samples)
    hits = {code: sum(k in s for s in texts for k in words) for code, words in found.items()}
    best = max(hits.values())
    return next(code for code, n in hits.items() if n == best)


def taxonomy_edit(text: str, topic: str, term: str) -> str:
    """The topic's entry with ``term`` added to its keywords (YAML, the file's flow style)."""
    words = topics(text).get(topic)
    if words is None:
        msg = f"no topic {topic!r} in the taxonomy"
        raise KeyError(msg)
    keywords = words if term in words else [*words, term]
    flow = ", ".join(_scalar(k) for k in keywords)
    return f"  - code: {_scalar(topic)}\n    keywords: [{flow}]\n"


def _scalar(value: str) -> str:
    """A YAML flow scalar: plain when it reads back as the same string, quoted otherwise."""
    try:
        plain = yaml.safe_load(f"[{value}]") if value and value.strip() == value else None
    except yaml.YAMLError:
        plain = None
    if plain == [value] and not any(c in value for c in ",[]{}#:'\""):
        return value
    return "'" + value.replace("'", "''") + "'"
