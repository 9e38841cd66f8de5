"""Sentiment: every log-probability snownlp's segmenter can ask for, computed once, bit-identical.

snownlp's ``CharacterBasedGenerativeModel.log_prob(s1, s2, s3)`` is
``log(uni + bi + tri)`` (``-inf`` when the sum is zero) with

* ``uni = l1 * (count(s3) / total)``
* ``bi = div(l2 * count(s2, s3), count(s2))``
* ``tri = div(l3 * count(s1, s2, s3), count(s1, s2))``

where ``div`` gives 0 for a zero denominator; it recomputes this for each of the
64 tag combinations at every character. These functions compute it once per
character n-gram with the same operations in the same order (compiled by
numba without fast-math, so nothing is fused or reordered, and ``math.log`` is
the C library's, as Python's is). When the trigram count is zero, ``tri`` adds
an exact zero, so the value depends on the last two characters only: that is
``pair_lp``; the few seen trigrams get ``triple_lp``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from streams.sentiment.seg_counts import HAN_COUNT, SegCounts

Floats = npt.NDArray[np.float64]


@njit(cache=True, nogil=True)
def _div(v1: float, v2: int) -> float:
    # snownlp's div(): 0 when the denominator count is 0
    if v2 == 0:
        return 0.0
    return v1 / v2


@njit(cache=True, nogil=True)
def _log(probability: float) -> float:
    # snownlp's log_prob(): -inf when the mixed probability is 0
    if probability == 0:
        return -math.inf
    return math.log(probability)


@njit(cache=True, nogil=True)
def _row(keys: npt.NDArray[np.int64], key: int) -> int:
    """Row of ``key`` in sorted ``keys``, -1 when absent."""
    row = np.searchsorted(keys, key)
    if row < len(keys) and keys[row] == key:
        return int(row)
    return -1


@njit(cache=True, nogil=True)
def log_prob_tables(
    c: SegCounts,
) -> tuple[Floats, Floats, Floats, Floats, Floats]:
    """(uni_lp, first_lp, pair_lp, bos_pair_lp, triple_lp); see :class:`SegTables`."""
    l1, l2, l3, total = c.weights[0], c.weights[1], c.weights[2], c.weights[3]
    uni_bos, bi_bos_bos = c.bos_counts[0], c.bos_counts[1]
    n = HAN_COUNT

    uni_term = np.empty((n, 4))
    uni_lp = np.empty((n, 4))
    first_lp = np.empty((n, 4))
    for ch in range(n):
        for t in range(4):
            uni = l1 * (c.uni[ch, t] / total)
            uni_term[ch, t] = uni
            uni_lp[ch, t] = _log(uni)
            bi = _div(l2 * c.bi_bos[ch, t], uni_bos)
            tri = _div(l3 * c.tri_bos_bos[ch, t], bi_bos_bos)
            first_lp[ch, t] = _log(uni + bi + tri)

    pairs = len(c.pair_keys)
    pair_base = np.empty((pairs, 16))  # uni + bi, before the log
    pair_lp = np.empty((pairs, 16))
    for p in range(pairs):
        c1, c2 = c.pair_keys[p] // n, c.pair_keys[p] % n
        for k in range(16):
            base = uni_term[c2, k & 3] + _div(l2 * c.pair_counts[p, k], c.uni[c1, k >> 2])
            pair_base[p, k] = base
            pair_lp[p, k] = _log(base)

    bos_pair_lp = np.empty((len(c.bos_pair_keys), 16))
    for q in range(len(c.bos_pair_keys)):
        c1, c2 = c.bos_pair_keys[q] // n, c.bos_pair_keys[q] % n
        p = _row(c.pair_keys, c.bos_pair_keys[q])
        for k in range(16):
            base = pair_base[p, k] if p >= 0 else uni_term[c2, k & 3]
            tri = _div(l3 * c.bos_pair_counts[q, k], c.bi_bos[c1, k >> 2])
            bos_pair_lp[q, k] = _log(base + tri)

    triple_lp = np.empty(len(c.triple_keys))
    for e in range(len(c.triple_keys)):
        key, tags = c.triple_keys[e], c.triple_tags[e]
        below = _row(c.pair_keys, key // n)  # (c1, c2): the trigram's denominator
        last = _row(c.pair_keys, key % (n * n))  # (c2, c3): its uni + bi
        k = tags & 15
        base = pair_base[last, k] if last >= 0 else uni_term[key % n, k & 3]
        below_count = c.pair_counts[below, tags >> 2] if below >= 0 else 0
        triple_lp[e] = _log(base + _div(l3 * c.triple_counts[e], below_count))
    return uni_lp, first_lp, pair_lp, bos_pair_lp, triple_lp
