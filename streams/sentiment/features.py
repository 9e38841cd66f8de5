"""Sentiment: character n-gram keys of texts, computed for a whole batch at once with NumPy.

Each text is normalised (NFKC, so full-width forms become their ASCII
equivalents; lower case; digits folded to ``0``; runs of white space to one
space), and the names of service aspects (客服, 物流, 质量, ...) become breaks
that no n-gram spans: in product reviews they come mostly with complaints, but
in customer-service feedback every text names them, so their weight would be
bias, not signal. Every character 1-, 2- and 3-gram is then packed exactly into one
64-bit key, 21 bits per code point (Unicode needs 21), so two different
n-grams never share a key and the model needs no hashing trick: a sorted
vocabulary of keys and ``np.searchsorted`` find a batch's n-grams in one call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_N = 3
_SEPARATOR = "\x00"
_BITS = np.uint64(21)
_SPACE = re.compile(r"\s+")
_DIGITS = str.maketrans("123456789", "000000000")
_BREAK = "\x01"  # inside one text: no n-gram spans it
#: what feedback is about, not how it went: neutral by construction
ASPECT_WORDS = (
    "客服", "售后", "卖家", "商家", "店家", "物流", "快递", "服务", "质量", "价格", "包装", "发货",
)  # fmt: skip
_ASPECTS = re.compile("|".join(ASPECT_WORDS))


def normalise(text: str) -> str:
    """The form n-grams are taken from (NFKC, lower case, ``0`` digits, aspect words as breaks)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_DIGITS)
    text = _SPACE.sub(" ", text.replace(_SEPARATOR, " ").replace(_BREAK, " ")).strip()
    return _ASPECTS.sub(_BREAK, text)


@dataclass(frozen=True)
class BatchNgrams:
    """The n-grams of a batch: ``keys[i]`` belongs to text ``doc[i]`` ."""

    keys: np.ndarray
    doc: np.ndarray
    size: int

    def counts(self) -> np.ndarray:
        """Number of n-grams of each text (0 for an empty one)."""
        return np.bincount(self.doc, minlength=self.size)


def batch_ngrams(texts: Sequence[str], max_n: int = MAX_N) -> BatchNgrams:
    """All 1..``max_n``-grams of every text in ``texts``, as exact integer keys."""
    joined = _SEPARATOR.join(normalise(text) for text in texts) + _SEPARATOR
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    boundary = points == 0
    doc_of_char = np.cumsum(boundary) - boundary
    boundary |= points == 1
    keys_parts = []
    doc_parts = []
    length = len(points)
    key = np.zeros(length, dtype=np.uint64)
    valid = np.ones(length, dtype=bool)
    for n in range(1, max_n + 1):
        span = length - n + 1
        if span <= 0:
            break
        # key of the n-gram starting at i = previous (n-1)-gram key | code point i+n-1 << 21(n-1)
        key = key[:span] | (points[n - 1 :] << (_BITS * np.uint64(n - 1)))
        valid = valid[:span] & ~boundary[n - 1 :]
        keys_parts.append(key[valid])
        doc_parts.append(doc_of_char[:span][valid])
    keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, dtype=np.uint64)
    doc = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int64)
    return BatchNgrams(keys=keys, doc=doc, size=len(texts))


def ngram_key(gram: str) -> int:
    """The key :func:`batch_ngrams` gives the (already normalised) n-gram ``gram``."""
    if not 1 <= len(gram) <= MAX_N:
        msg = f"n-grams have 1 to {MAX_N} characters, not {len(gram)}: {gram!r}"
        raise ValueError(msg)
    key = 0
    for position, char in enumerate(gram):
        key |= ord(char) << (int(_BITS) * position)
    return key
