"""Sentiment: snownlp's word segmentation (``snownlp.seg.seg``), same words, batched and compiled.

``seg.seg`` splits a text into runs of Han characters (U+4E00..U+9FA5) and the
rest; the rest is split on whitespace, each Han run is tagged by the
character-based generative model and cut into words. Here a whole batch of
texts goes to the compiled kernel (:func:`streams.sentiment.seg_kernel.word_spans`)
as one array of code points, which returns where each word starts and ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from streams.sentiment import seg_tables
from streams.sentiment.seg_kernel import word_spans
from streams.sentiment.seg_tables import SegTables

#: [code point] -> whether ``str.split()`` splits on it; U+3000 is the last Unicode space.
SPACE = np.array([chr(c).isspace() for c in range(0x3001)], np.bool_)


class Segmenter:
    """``seg(text)`` returns what ``snownlp.seg.seg(text)`` returns, for any string."""

    def __init__(self, tables: SegTables) -> None:
        self.tables = tables

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> Segmenter:
        """The segmenter of the installed snownlp (tables cached in ``cache_dir`` when given)."""
        return cls(seg_tables.load(cache_dir))

    def seg(self, text: str) -> list[str]:
        return self.seg_many([text])[0]

    def seg_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Words of each text, in order: Han runs segmented, the rest split on whitespace."""
        if not texts:
            return []
        joined = "".join(texts)
        # one code point per character, lone surrogates included, as str indexes them
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
        text_ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
        starts, ends, per_text = word_spans(self.tables, points, text_ends, SPACE)
        words = [joined[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        out = []
        first = 0
        for count in per_text.tolist():
            out.append(words[first : first + count])
            first += count
        return out
