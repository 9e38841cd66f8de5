"""Demo feed: a forum post's title or an email's subject for a text (generated or not)."""

from __future__ import annotations

import random
import re
from functools import cache

from ingest.demo_texts_vocab import SLOT, vocabulary

#: Vocabulary pools whose phrases only open a message; a title skips them.
_FRAMING_POOLS = (
    "review_open",
    "review_follow",
    "chat_open",
    "survey_open_good",
    "survey_open_bad",
    "forum_open_good",
    "forum_open_bad",
    "forum_open_ask",
    "email_open",
    "email_praise",
)
_CLAUSE_BREAK = re.compile(r"[，。！？!?\n~…：:；;]+")
_LEADING_TAGS = re.compile(r"^(?:\s*(?:#[^#]*#|【[^】]*】|@\S+)\s*)+")


@cache
def _framing() -> re.Pattern[str]:
    """The openings that frame a message (greetings, "来晒个单，"): never part of a title."""
    vocab = vocabulary()
    phrases = {phrase for pool in _FRAMING_POOLS for phrase in vocab.phrases[pool]}
    patterns = ("".join(_slot_or_literal(piece) for piece in SLOT.split(p)) for p in phrases)
    return re.compile("|".join(sorted(patterns, key=len, reverse=True)))


def _slot_or_literal(piece: str) -> str:
    # SLOT.split puts slot names at odd positions; names are words, the phrases are Chinese
    return ".{1,8}?" if piece.isascii() and piece.isidentifier() else re.escape(piece)


def first_clause(text: str) -> str:
    """The first clause of a text that says something (after tags, greetings and openings)."""
    rest = text
    while True:
        rest = _LEADING_TAGS.sub("", rest).lstrip()
        opening = _framing().match(rest)
        if opening is None or not opening.group():
            break
        rest = rest[opening.end() :]
    for part in _CLAUSE_BREAK.split(rest):
        if len(part.strip()) >= 2:
            return part.strip()[:18]
    return text.strip()[:18]


def title(rng: random.Random, text: str, channel: str, positive: bool) -> str:
    """A forum post's title or an email's subject for ``text`` ("" on other channels)."""
    vocab = vocabulary()
    clause = first_clause(text)
    if channel == "forum":
        tag = vocab.pick(rng, "forum_tag_good" if positive else "forum_tag_bad")
        tail = "" if positive else vocab.pick(rng, "forum_title_tail_bad")
        return f"{tag}{clause}{tail}"
    if channel == "email":
        return vocab.pick(rng, "email_subject_good" if positive else "email_subject_bad") + clause
    return ""
