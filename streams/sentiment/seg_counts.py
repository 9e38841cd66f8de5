"""Sentiment: snownlp's segmenter counts regrouped as arrays keyed by character n-gram.

snownlp's ``CharacterBasedGenerativeModel`` keeps unigram, bigram and trigram
counts in dictionaries keyed by nested ``((char, tag), ...)`` tuples. The
segmenter only ever sees Han characters U+4E00..U+9FA5 (``seg.re_zh``), so a
character is numbered ``ord(char) - 0x4E00`` and an n-gram of characters is
one integer (``c1 * HAN_COUNT + c2``...); the counts of its tag combinations
sit beside it. Tags keep snownlp's order (b, m, e, s): a pair of tags
(t2, t3) is ``t2 * 4 + t3``, a triple (t1, t2, t3) is ``t1 * 16 + t2 * 4 + t3``.
The start of a run (snownlp's ``('', 'BOS')``) has arrays of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from radar.errors import ConfigError

#: What snownlp's ``seg.re_zh`` matches: the only characters its segmenter sees.
HAN_RUN = re.compile("([\u4e00-\u9fa5]+)")
HAN_FIRST = 0x4E00
HAN_COUNT = 0x9FA5 - 0x4E00 + 1
TAGS = ("b", "m", "e", "s")
_BOS = ("", "BOS")

Ints = npt.NDArray[np.int64]


class SegCounts(NamedTuple):
    """The segmenter model's numbers, as arrays (input of the log-probability tables)."""

    #: l1, l2, l3 (interpolation weights) and the unigram total, as snownlp stores them
    weights: npt.NDArray[np.float64]
    #: [count of (BOS), count of (BOS, BOS)]
    bos_counts: Ints
    #: [char, tag] -> count of (char, tag)
    uni: Ints
    #: [char, tag] -> count of (BOS, (char, tag))
    bi_bos: Ints
    #: [char, tag] -> count of (BOS, BOS, (char, tag))
    tri_bos_bos: Ints
    #: sorted c1 * HAN_COUNT + c2 of character pairs with a bigram or trigram count
    pair_keys: Ints
    #: [pair row, t1 * 4 + t2] -> count of ((c1, t1), (c2, t2))
    pair_counts: Ints
    #: sorted c1 * HAN_COUNT + c2 of pairs with a count of (BOS, (c1, t1), (c2, t2))
    bos_pair_keys: Ints
    #: [bos pair row, t1 * 4 + t2] -> count of (BOS, (c1, t1), (c2, t2))
    bos_pair_counts: Ints
    #: (c1 * HAN_COUNT + c2) * HAN_COUNT + c3 of each trigram entry, sorted
    triple_keys: Ints
    #: t1 * 16 + t2 * 4 + t3 of each trigram entry
    triple_tags: Ints
    #: count of each trigram entry
    triple_counts: Ints


def count_arrays(model: Mapping[str, Any]) -> SegCounts:
    """Regroup a loaded ``seg.marshal`` (snownlp's dict of dicts) into :class:`SegCounts`."""
    if tuple(model.get("status", ())) != TAGS:
        msg = f"unexpected snownlp segmenter tags {model.get('status')!r}; reinstall snownlp"
        raise ConfigError(msg)
    uni: dict[Any, int] = model["uni"]["d"]
    bi: dict[Any, int] = model["bi"]["d"]
    tri: dict[Any, int] = model["tri"]["d"]
    tag_of = {tag: i for i, tag in enumerate(TAGS)}
    # (char, tag) -> (character number, tag number), for the Han characters the model knows
    unit: dict[tuple[str, str], tuple[int, int]] = {}
    for char, tag in uni:
        code = ord(char) - HAN_FIRST if len(char) == 1 else -1
        if tag in tag_of and 0 <= code < HAN_COUNT:
            unit[(char, tag)] = (code, tag_of[tag])
    n = HAN_COUNT

    uni_counts = np.zeros((n, 4), np.int64)
    for pair, (code, tag) in unit.items():
        uni_counts[code, tag] = uni[pair]

    bi_bos = np.zeros((n, 4), np.int64)
    pairs: list[tuple[int, int, int]] = []
    for (first, second), count in bi.items():
        to = unit.get(second)
        if to is None:
            continue
        if first == _BOS:
            bi_bos[to] = count
        elif (fro := unit.get(first)) is not None:
            pairs.append((fro[0] * n + to[0], fro[1] * 4 + to[1], count))

    tri_bos_bos = np.zeros((n, 4), np.int64)
    bos_pairs: list[tuple[int, int, int]] = []
    triples: list[tuple[int, int, int]] = []
    for (first, second, third), count in tri.items():
        to, mid = unit.get(third), unit.get(second)
        if to is None:
            continue
        if first == _BOS and second == _BOS:
            tri_bos_bos[to] = count
        elif mid is None:
            continue
        elif first == _BOS:
            bos_pairs.append((mid[0] * n + to[0], mid[1] * 4 + to[1], count))
        elif (fro := unit.get(first)) is not None:
            key = (fro[0] * n + mid[0]) * n + to[0]
            triples.append((key, fro[1] * 16 + mid[1] * 4 + to[1], count))

    triple_data = np.array(triples, np.int64).reshape(-1, 3)
    triple_data = triple_data[np.lexsort((triple_data[:, 1], triple_data[:, 0]))]
    # every trigram's first two characters get a pair row, so triples can hang off pairs
    prefixes = np.unique(triple_data[:, 0] // n)
    pair_keys, pair_counts = _dense16(pairs, extra_keys=prefixes)
    bos_pair_keys, bos_pair_counts = _dense16(bos_pairs)
    return SegCounts(
        weights=np.array([model["l1"], model["l2"], model["l3"], model["uni"]["total"]], float),
        bos_counts=np.array([uni.get(_BOS, 0), bi.get((_BOS, _BOS), 0)], np.int64),
        uni=uni_counts,
        bi_bos=bi_bos,
        tri_bos_bos=tri_bos_bos,
        pair_keys=pair_keys,
        pair_counts=pair_counts,
        bos_pair_keys=bos_pair_keys,
        bos_pair_counts=bos_pair_counts,
        triple_keys=triple_data[:, 0].copy(),
        triple_tags=triple_data[:, 1].copy(),
        triple_counts=triple_data[:, 2].copy(),
    )


def _dense16(
    entries: list[tuple[int, int, int]], extra_keys: Ints | None = None
) -> tuple[Ints, Ints]:
    """(key, slot, count) entries -> sorted unique keys and a [key row, 16] count table."""
    data = np.array(entries, np.int64).reshape(-1, 3)
    keys = data[:, 0] if extra_keys is None else np.concatenate([data[:, 0], extra_keys])
    unique = np.unique(keys)
    counts = np.zeros((len(unique), 16), np.int64)
    counts[np.searchsorted(unique, data[:, 0]), data[:, 1]] = data[:, 2]
    return unique, counts
