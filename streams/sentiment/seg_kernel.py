"""Sentiment: snownlp's segmenter search (``CharacterBasedGenerativeModel.tag``), compiled.

A faithful port of snownlp's second-order Viterbi search over the 16 states
(previous tag, current tag), reading its log-probabilities from
:class:`SegTables` (computed exactly as snownlp computes them). Every candidate
score is ``previous score + log-probability``, as in snownlp, and ties go the
way snownlp's dict and list order sends them:

* for a new state (t2, t3) the candidates come in previous-tag order b, m, e,
  s; the first is taken, a later one only when strictly greater;
* a character the model has never seen is not scored: each new state (t2, t3)
  copies the last candidate (t1 = s) unchanged;
* the final ``max`` scans the states with the current tag outer and keeps the
  first of equal scores.

Back-pointers replace snownlp's copying of every path at every character.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from streams.sentiment.seg_counts import HAN_COUNT
from streams.sentiment.seg_tables import SegTables

_B, _M, _E, _S = 0, 1, 2, 3


@njit(cache=True, nogil=True)
def _search(values: npt.NDArray[np.int64], lo: int, hi: int, value: int) -> int:
    """Index of ``value`` in the sorted ``values[lo:hi]``, -1 when absent."""
    end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    if lo < end and values[lo] == value:
        return lo
    return -1


@njit(cache=True, nogil=True)
def _pair_row(t: SegTables, c1: int, c2: int) -> int:
    return _search(t.pair_second, t.pair_start[c1], t.pair_start[c1 + 1], c2)


@njit(cache=True, nogil=True)
def _opening(t: SegTables, codes: npt.NDArray[np.int64], score: npt.NDArray[np.float64]) -> None:
    """Scores of the 16 states after the first two characters of a run."""
    c0, c1 = codes[0], codes[1]
    start = np.zeros(4)
    if t.known[c0]:
        for t3 in range(4):
            start[t3] = 0.0 + t.first_lp[c0, t3]
    if not t.known[c1]:
        for k in range(16):
            score[k] = start[k >> 2]
        return
    bos = t.bos_pair_keys
    q = np.searchsorted(bos, c0 * HAN_COUNT + c1)
    if q < len(bos) and bos[q] == c0 * HAN_COUNT + c1:
        for k in range(16):
            score[k] = start[k >> 2] + t.bos_pair_lp[q, k]
        return
    p = _pair_row(t, c0, c1)
    for k in range(16):
        score[k] = start[k >> 2] + (t.pair_lp[p, k] if p >= 0 else t.uni_lp[c1, k & 3])


@njit(cache=True, nogil=True)
def _tag_run(
    t: SegTables,
    codes: npt.NDArray[np.int64],
    tags: npt.NDArray[np.int64],
    back: npt.NDArray[np.int64],
) -> None:
    """Fill ``tags`` (b=0, m=1, e=2, s=3) for one run of character numbers ``codes``."""
    n = len(codes)
    if n == 1:
        start = np.zeros(4)
        if t.known[codes[0]]:
            for t3 in range(4):
                start[t3] = 0.0 + t.first_lp[codes[0], t3]
        tags[0] = np.argmax(start)  # the first of equal maxima, as max() keeps
        return
    score = np.empty(16)
    _opening(t, codes, score)
    new = np.empty(16)
    log_probs = np.empty(64)
    previous_pair = _pair_row(t, codes[0], codes[1])
    for i in range(2, n):
        b, c = codes[i - 1], codes[i]
        pair = _pair_row(t, b, c)
        if not t.known[c]:
            for k in range(16):
                new[k] = score[12 + (k >> 2)]
                back[i, k] = _S
            score[:] = new
            previous_pair = pair
            continue
        for k in range(16):
            value = t.pair_lp[pair, k] if pair >= 0 else t.uni_lp[c, k & 3]
            log_probs[k] = value
            log_probs[16 + k] = value
            log_probs[32 + k] = value
            log_probs[48 + k] = value
        if previous_pair >= 0:
            groups = t.group_start_of_pair
            g = _search(t.group_third, groups[previous_pair], groups[previous_pair + 1], c)
            if g >= 0:
                for e in range(t.entry_start[g], t.entry_start[g + 1]):
                    log_probs[t.entry_tags[e]] = t.entry_lp[e]
        for k in range(16):
            t2 = k >> 2
            best = score[t2] + log_probs[k]
            arg = 0
            for t1 in range(1, 4):
                value = score[t1 * 4 + t2] + log_probs[t1 * 16 + k]
                if value > best:
                    best = value
                    arg = t1
            new[k] = best
            back[i, k] = arg
        score[:] = new
        previous_pair = pair

    state = 0
    best = score[0]
    for t3 in range(4):
        for t2 in range(4):
            if score[t2 * 4 + t3] > best:
                best = score[t2 * 4 + t3]
                state = t2 * 4 + t3
    tags[n - 2], tags[n - 1] = state >> 2, state & 3
    for i in range(n - 1, 1, -1):
        prev = back[i, state]
        tags[i - 2] = prev
        state = prev * 4 + (state >> 2)


@njit(cache=True, nogil=True)
def word_ends(
    t: SegTables, codes: npt.NDArray[np.int64], bounds: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """For the runs ``codes[bounds[r]:bounds[r + 1]]``: True where snownlp's Seg.seg ends a word.

    A word ends at a character tagged e, before one tagged b or s, and at the
    end of the run.
    """
    ends = np.zeros(len(codes), np.bool_)
    longest = 0
    for r in range(len(bounds) - 1):
        longest = max(longest, bounds[r + 1] - bounds[r])
    back = np.zeros((longest, 16), np.int64)
    tags = np.zeros(longest, np.int64)
    for r in range(len(bounds) - 1):
        lo, hi = bounds[r], bounds[r + 1]
        n = hi - lo
        if n == 0:
            continue
        _tag_run(t, codes[lo:hi], tags[:n], back)
        for i in range(n - 1):
            ends[lo + i] = tags[i] == _E or tags[i + 1] == _B or tags[i + 1] == _S
        ends[hi - 1] = True
    return ends
