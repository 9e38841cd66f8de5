"""Demo feed: what makes generated texts read as typed by people (typos, emoji, shouting)."""

from __future__ import annotations

import random

from ingest.demo_texts_vocab import Vocabulary

#: Closing punctuation a text may end with, and what a customer in a hurry types instead.
_ENDINGS = "。！？!?~…"
_SHOUTED_GOOD = ("！！！", "!!!", "~~", "！！", "～～～")
_SHOUTED_BAD = ("！！！", "？？？", "。。。", "……", "!!!", "？！", "！！！！")


def typo(rng: random.Random, text: str, vocab: Vocabulary) -> str | None:
    """``text`` with one word misspelt or swapped for an internet homophone; None if none fits."""
    present = [word for word in vocab.typos if word in text]
    if not present:
        return None
    word = rng.choice(present)
    return text.replace(word, rng.choice(vocab.typos[word]), 1)


def with_emoji(rng: random.Random, text: str, positive: bool, vocab: Vocabulary) -> str:
    """Emoji at the end, or after the first clause, once or repeated."""
    mark = rng.choice(vocab.emoji["good" if positive else "bad"])
    marks = mark * rng.choice((1, 1, 2, 3))
    cut = text.find("，")
    if cut > 0 and rng.random() < 0.3:
        return f"{text[: cut + 1]}{marks}{text[cut + 1 :]}"
    return text.rstrip(_ENDINGS) + marks


def shouted(rng: random.Random, text: str, positive: bool) -> str:
    """The last punctuation repeated, as people do when pleased or angry."""
    return text.rstrip(_ENDINGS) + rng.choice(_SHOUTED_GOOD if positive else _SHOUTED_BAD)


def roughen(
    rng: random.Random, text: str, positive: bool, vocab: Vocabulary, *, emoji_rate: float
) -> tuple[str, set[str]]:
    """Some texts get a typo, emoji or repeated punctuation; returns the text and what it got."""
    traits: set[str] = set()
    if rng.random() < 0.08:
        misspelt = typo(rng, text, vocab)
        if misspelt is not None:
            text = misspelt
            traits.add("typo")
    if rng.random() < emoji_rate:
        text = with_emoji(rng, text, positive, vocab)
        traits.add("emoji")
    elif rng.random() < (0.08 if positive else 0.14):
        text = shouted(rng, text, positive)
        traits.add("punctuation")
    return text, traits
