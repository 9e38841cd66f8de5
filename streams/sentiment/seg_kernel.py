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
:func:`word_spans` also splits the text outside Han runs on whitespace, as
``seg.seg`` does, so a whole batch of texts takes one call. The helpers are
inlined so the table arrays are not reference-counted per call.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from streams.sentiment.seg_counts import HAN_COUNT, HAN_FIRST
from streams.sentiment.seg_tables import SegTables

_B, _M, _E, _S = 0, 1, 2, 3

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@njit(cache=True, nogil=True, inline="always")
def _search(values: npt.NDArray[np.int16], lo: int, hi: int, value: int) -> int:
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


@njit(cache=True, nogil=True, inline="always")
def _pair_row(t: SegTables, c1: int, c2: int) -> int:
    return _search(t.pair_second, t.pair_start[c1], t.pair_start[c1 + 1], c2)


@njit(cache=True, nogil=True, inline="always")
def _start(t: SegTables, c0: int, start: Floats) -> None:
    """Scores of the four states (BOS, t) after the first character of a run."""
    for t3 in range(4):
        start[t3] = 0.0 + t.first_lp[c0, t3] if t.known[c0] else 0.0


@njit(cache=True, nogil=True, inline="always")
def _second(t: SegTables, c0: int, c1: int, start: Floats, score: Floats) -> None:
    """Scores of the 16 states (t0, t1) after the second character: one candidate each."""
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


@njit(cache=True, nogil=True, inline="always")
def _log_probs(t: SegTables, before: int, pair: int, c: int, log_probs: Floats) -> None:
    """log_prob of every (t1, t2, t3) for character c after pair row ``before`` (c1, c2)."""
    for k in range(16):
        value = t.pair_lp[pair, k] if pair >= 0 else t.uni_lp[c, k & 3]
        log_probs[k] = value
        log_probs[16 + k] = value
        log_probs[32 + k] = value
        log_probs[48 + k] = value
    if before >= 0:
        groups = t.group_start_of_pair
        g = _search(t.group_third, groups[before], groups[before + 1], c)
        if g >= 0:
            for e in range(t.entry_start[g], t.entry_start[g + 1]):
                log_probs[t.entry_tags[e]] = t.entry_lp[e]


@njit(cache=True, nogil=True, inline="always")
def _tag_run(t: SegTables, codes: Ints, tags: Ints, back: npt.NDArray[np.int8]) -> None:
    """Fill ``tags`` (b=0, m=1, e=2, s=3) for one run of character numbers ``codes``."""
    n = len(codes)
    start = np.empty(4)
    _start(t, codes[0], start)
    if n == 1:
        tags[0] = np.argmax(start)  # the first of equal maxima, as max() keeps
        return
    score = np.empty(16)
    _second(t, codes[0], codes[1], start, score)
    new = np.empty(16)
    log_probs = np.empty(64)
    before = _pair_row(t, codes[0], codes[1])
    for i in range(2, n):
        c = codes[i]
        pair = _pair_row(t, codes[i - 1], c)
        if not t.known[c]:
            for k in range(16):
                new[k] = score[12 + (k >> 2)]
                back[i, k] = _S
        else:
            _log_probs(t, before, pair, c, log_probs)
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
        before = pair

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


@njit(cache=True, nogil=True, inline="always")
def _is_han(point: int) -> bool:
    return HAN_FIRST <= point < HAN_FIRST + HAN_COUNT


@njit(cache=True, nogil=True, inline="always")
def _is_space(point: int, space: npt.NDArray[np.bool_]) -> bool:
    return point < len(space) and space[point]


@njit(cache=True, nogil=True)
def word_spans(
    t: SegTables, points: npt.NDArray[np.uint32], text_ends: Ints, space: npt.NDArray[np.bool_]
) -> tuple[Ints, Ints, Ints]:
    """Words of texts laid end to end in ``points`` (code points; text i ends at text_ends[i]).

    Returns (word starts, word ends, words per text), positions in ``points``.
    As snownlp's ``seg.seg``: each run of Han characters U+4E00..U+9FA5 is
    tagged and cut into words (one ends at a character tagged e, before one
    tagged b or s, and at the end of the run); the other characters are split
    on whitespace (``space`` marks what ``str.isspace`` calls whitespace).
    """
    longest = 0
    run = 0
    for point in points:
        run = run + 1 if _is_han(point) else 0
        longest = max(longest, run)
    codes = np.empty(longest, np.int64)
    tags = np.empty(longest, np.int64)
    back = np.empty((longest, 16), np.int8)
    starts = np.empty(len(points), np.int64)
    ends = np.empty(len(points), np.int64)
    per_text = np.zeros(len(text_ends), np.int64)
    words = 0
    lo = 0
    for text in range(len(text_ends)):
        hi = text_ends[text]
        before = words
        i = lo
        while i < hi:
            if _is_han(points[i]):
                j = i
                while j < hi and _is_han(points[j]):
                    codes[j - i] = points[j] - HAN_FIRST
                    j += 1
                n = j - i
                _tag_run(t, codes[:n], tags[:n], back)
                word_start = i
                for k in range(n):
                    if k == n - 1 or tags[k] == _E or tags[k + 1] == _B or tags[k + 1] == _S:
                        starts[words], ends[words] = word_start, i + k + 1
                        words += 1
                        word_start = i + k + 1
                i = j
            elif _is_space(points[i], space):
                i += 1
            else:
                j = i + 1
                while j < hi and not _is_han(points[j]) and not _is_space(points[j], space):
                    j += 1
                starts[words], ends[words] = i, j
                words += 1
                i = j
        per_text[text] = words - before
        lo = hi
    return starts[:words], ends[:words], per_text
