"""Sentiment: snownlp's word segmentation (``snownlp.seg.seg``), same words, batched and compiled.

``seg.seg`` splits a text into runs of Han characters (U+4E00..U+9FA5) and the
rest; the rest is split on whitespace, each Han run is tagged by the
character-based generative model and cut into words. Here all Han runs of a
batch go to the compiled search (:mod:`streams.sentiment.seg_kernel`) in one
call, and the words are cut back out of the joined runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from streams.sentiment import seg_tables
from streams.sentiment.seg_counts import HAN_FIRST, HAN_RUN
from streams.sentiment.seg_kernel import word_ends
from streams.sentiment.seg_tables import SegTables


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
        layouts = [HAN_RUN.split(text) for text in texts]
        runs = [run for parts in layouts for run in parts[1::2]]
        run_words = self._cut_runs(runs)
        out: list[list[str]] = []
        r = 0
        for parts in layouts:
            words: list[str] = []
            for i, part in enumerate(parts):
                if i & 1:
                    words += run_words[r]
                    r += 1
                else:
                    # snownlp strips, splits on whitespace, strips each word: what split() does
                    words += part.split()
            out.append(words)
        return out

    def _cut_runs(self, runs: list[str]) -> list[list[str]]:
        """Words of each Han run (snownlp's ``single_seg``), all runs in one kernel call."""
        if not runs:
            return []
        joined = "".join(runs)
        # every character of a run is in U+4E00..U+9FA5: one UTF-16 unit each
        codes = np.frombuffer(joined.encode("utf-16-le"), np.uint16).astype(np.int64) - HAN_FIRST
        bounds = np.zeros(len(runs) + 1, np.int64)
        np.cumsum([len(run) for run in runs], out=bounds[1:])
        ends = np.flatnonzero(word_ends(self.tables, codes, bounds)) + 1
        # runs end with a word, so word counts per run fall straight out of the run bounds
        words_before = np.searchsorted(ends, bounds, side="right").tolist()
        cuts = ends.tolist()
        starts = [0, *cuts[:-1]]
        words = [joined[lo:hi] for lo, hi in zip(starts, cuts, strict=True)]
        return [words[words_before[r] : words_before[r + 1]] for r in range(len(runs))]
