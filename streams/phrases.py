"""Counting stage: the terms of complaints no taxonomy topic covers, counted per hour, bounded.

An emerging issue is a term customers start to use that nobody listed
(二维码失效). Each complaint's text is cut into words by jieba (HMM off, the
taxonomy's keywords cut whole, the same segmenter the assertion judge uses),
and its *terms* are its content words (two or more Chinese characters, or
three or more Latin letters or digits; no stop word) and every pair of
adjacent content words (二维码 + 失效 → 二维码失效). A term that holds a topic
keyword (质量很差 holds 质量) or is part of one (物流 of 京东物流) is covered by
the taxonomy and not counted.

Each term counts its complaints and how many of them a topic placed: a term
said in complaints the taxonomy already places (分拨中心, in a wave of delivery
complaints) is no new issue (``streams.emerging``). The counts ride in the
hour's ``overall`` cell (``terms``, and ``examples``:
one masked message per recurring term), so they go where the overall count
goes, exactly once like every cell. A cell holds at most :data:`MAX_TERMS`
terms: when it is full, the terms seen only as often as the cell's ``floor``
are dropped and the floor rises (lossy counting), so a term said a few times
an hour is kept and its count is short by at most the floor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from radar.masking import masked_excerpt
from streams.segmentation import segmenter
from streams.taxonomy import Taxonomy

#: Terms an hour's cell holds at most (per source partition, and once merged).
MAX_TERMS = 200
#: A term keeps an example message once it was seen this often in the cell.
EXAMPLE_AFTER = 2
#: Characters of an example's text kept (its id leads to the whole text in the store).
EXAMPLE_CHARS = 60
#: Words too common to name an issue on their own (function words, fillers, pronouns).
_STOP_TEXT = """
    一个 一下 一直 一点 一样 一次 不是 不能 不会 不要 为什么 什么
    今天 以后 以前 但是 你们 我们 他们 她们 它们 只是 可以 可能
    因为 所以 已经 还是 还有 还要 怎么 怎么办 怎么样 这个 那个 这样
    那样 这么 那么 这种 那种 然后 现在 时候 真的 非常 特别 感觉
    觉得 东西 问题 知道 就是 而且 或者 如果 虽然 自己 大家 没有
    没法 根本 完全 其实 而已 之后 之前 一般 而是 这次 上次 下次
    每次 好几次 几次 几天 一天 两天 三天 今年 昨天 明天 刚刚 刚才
    马上 立刻 直接 终于 居然 竟然 到底 谢谢 你好 亲亲 请问 麻烦
    希望 需要 应该 必须 能够 不了 出来 起来 下来 上去 过来 看看
    说说
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,12}$")
_LATIN = re.compile(r"^[a-z0-9][a-z0-9\-]{2,20}$")


class PhraseCounter:
    """The uncovered terms of a text, and their counts in an hour's cell."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.words = tuple(w for w in taxonomy.topic_words if len(w) > 1)
        self.keywords = frozenset(self.words)
        parts = set()
        for word in self.words:
            for i in range(len(word)):
                for j in range(i + 2, len(word) + 1):
                    parts.add(word[i:j])
        self.parts = frozenset(parts)  # every piece of a keyword (a term inside one is covered)
        self.covered = lru_cache(maxsize=65536)(self._covered)

    def _covered(self, term: str) -> bool:
        if term in self.parts:
            return True
        n = len(term)
        return any(term[i:j] in self.keywords for i in range(n) for j in range(i + 2, n + 1))

    def _content(self, word: str) -> bool:
        word = word.lower()
        return (
            (_CJK.match(word) is not None or _LATIN.match(word) is not None)
            and word not in STOP_WORDS
            and not self.covered(word)
        )

    def terms(self, text: str, names: Iterable[str] = ()) -> list[str]:
        """Content words and adjacent pairs of them, each once, in order of appearance;
        none that holds or is part of one of ``names`` (the event's product, region, shop:
        a product whose complaints rise is a spike of its own)."""
        words = segmenter(self.words).lcut(text, HMM=False)
        out: dict[str, None] = {}
        previous: str | None = None
        for word in words:
            if not self._content(word):
                previous = None
                continue
            word = word.lower()
            out[word] = None
            if previous is not None:
                pair = previous + word
                if not self.covered(pair):
                    out[pair] = None
            previous = word
        named = [n.lower() for n in names if n]
        return [t for t in out if not any(t in n or n in t for n in named)]


def add_terms(
    cell: dict[str, Any], terms: Iterable[str], event_id: str, text: str, topical: bool
) -> None:
    """Count an event's terms into an hour's cell (bounded by :data:`MAX_TERMS`).

    Each term counts ``[complaints, of which a topic placed]``: a term said in
    complaints the taxonomy already places (分拨中心 in delivery complaints) is no
    new issue, however often it is said.
    """
    counts: dict[str, list[int]] = cell.setdefault("terms", {})
    examples: dict[str, list[str]] = cell.setdefault("examples", {})
    for term in terms:
        pair = counts.get(term)
        if pair is None:
            pair = counts[term] = [cell.get("floor", 0), 0]
        pair[0] += 1
        pair[1] += topical
        n = pair[0]
        if n >= EXAMPLE_AFTER and term not in examples:
            examples[term] = [event_id, masked_excerpt(text, EXAMPLE_CHARS)]
        if len(counts) > MAX_TERMS:
            _prune(cell)


def _prune(cell: dict[str, Any]) -> None:
    counts: dict[str, list[int]] = cell["terms"]
    while len(counts) > MAX_TERMS:
        cell["floor"] = floor = cell.get("floor", 0) + 1
        for term in [t for t, (n, _) in counts.items() if n <= floor]:
            del counts[term]
            cell["examples"].pop(term, None)


def merge_terms(total: dict[str, Any], cell: dict[str, Any]) -> None:
    """Add a partition's term counts into a merged cell (examples: the smallest id per term)."""
    if not cell.get("terms"):
        return
    counts: dict[str, list[int]] = total.setdefault("terms", {})
    examples: dict[str, list[str]] = total.setdefault("examples", {})
    for term, (n, topical) in cell["terms"].items():
        pair = counts.setdefault(term, [0, 0])
        pair[0] += n
        pair[1] += topical
    for term, example in cell.get("examples", {}).items():
        if term not in examples or example[0] < examples[term][0]:
            examples[term] = example
    total["floor"] = total.get("floor", 0) + cell.get("floor", 0)
    if len(counts) > MAX_TERMS:
        ranked = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_TERMS]
        total["terms"] = dict(ranked)
        total["examples"] = {t: e for t, e in examples.items() if t in total["terms"]}
