"""Sentiment: the segmenter's lookup tables, derived from snownlp's ``seg.marshal``, cached on disk.

Nothing here is a copy of the model: the tables are derived from the
installed ``seg.marshal`` at first use (a few seconds) and cached under the
data dir in a file named after the model file's SHA-256, so another snownlp
release rebuilds them. Character numbers, tag numbering and n-gram keys are
those of :mod:`streams.sentiment.seg_counts`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from streams.sentiment import snownlp_files
from streams.sentiment.seg_counts import HAN_COUNT, count_arrays
from streams.sentiment.seg_logprob import log_prob_tables

log = logging.getLogger(__name__)

#: Bump when the tables change meaning, so stale caches are ignored.
FORMAT = 2

Ints = npt.NDArray[np.int64]
Offsets = npt.NDArray[np.int32]
Chars = npt.NDArray[np.int16]
Floats = npt.NDArray[np.float64]


class SegTables(NamedTuple):
    """What the compiled search reads: log-probabilities keyed by character n-gram.

    Characters are int16 and offsets int32 so the rows a character touches
    share cache lines: the search is bound by memory latency.
    """

    #: [char] -> 1 when snownlp's tag() finds the character (some tag has a count)
    known: npt.NDArray[np.uint8]
    #: [char, t3] -> log-probability of (char, t3) after a pair never seen together
    uni_lp: Floats
    #: [char, t] -> log-probability of (char, t) opening a run (after BOS, BOS)
    first_lp: Floats
    #: pair rows of first character c are pair_start[c] .. pair_start[c + 1] - 1
    pair_start: Offsets
    #: [pair row] -> second character, ascending within each first character
    pair_second: Chars
    #: [pair row, t2 * 4 + t3] -> log-probability when no trigram of the pair was seen
    pair_lp: Floats
    #: sorted c1 * HAN_COUNT + c2 of pairs seen right after BOS
    bos_pair_keys: Ints
    #: [bos pair row, t1 * 4 + t2] -> log-probability of the second character of a run
    bos_pair_lp: Floats
    #: trigram groups (c1, c2, *) of pair row p are group_start_of_pair[p] .. [p + 1] - 1
    group_start_of_pair: Offsets
    #: [group] -> third character, ascending within each pair
    group_third: Chars
    #: entries of group g are entry_start[g] .. entry_start[g + 1] - 1
    entry_start: Offsets
    #: [entry] -> t1 * 16 + t2 * 4 + t3
    entry_tags: npt.NDArray[np.uint8]
    #: [entry] -> log-probability of that tag triple on that character triple
    entry_lp: Floats


def build() -> SegTables:
    """Derive the tables from the installed snownlp's ``seg.marshal`` (takes seconds)."""
    counts = count_arrays(snownlp_files.seg_model())
    uni_lp, first_lp, pair_lp, bos_pair_lp, entry_lp = log_prob_tables(counts)
    n = HAN_COUNT
    pair_keys, triple_keys = counts.pair_keys, counts.triple_keys
    groups, entry_first = np.unique(triple_keys, return_index=True)
    return SegTables(
        known=(counts.uni != 0).any(axis=1).astype(np.uint8),
        uni_lp=uni_lp,
        first_lp=first_lp,
        pair_start=np.searchsorted(pair_keys // n, np.arange(n + 1)).astype(np.int32),
        pair_second=(pair_keys % n).astype(np.int16),
        pair_lp=pair_lp,
        bos_pair_keys=counts.bos_pair_keys,
        bos_pair_lp=bos_pair_lp,
        group_start_of_pair=np.searchsorted(
            groups // n, np.append(pair_keys, pair_keys[-1] + 1)
        ).astype(np.int32),
        group_third=(groups % n).astype(np.int16),
        entry_start=np.append(entry_first, len(triple_keys)).astype(np.int32),
        entry_tags=counts.triple_tags.astype(np.uint8),
        entry_lp=entry_lp,
    )


def load(cache_dir: Path | None) -> SegTables:
    """The tables for the installed snownlp, read from ``cache_dir`` when built before."""
    model_file = snownlp_files.snownlp_dir() / "seg" / "seg.marshal.3"
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:16]
    cached = cache_dir / f"snownlp-seg-{digest}-v{FORMAT}.npz" if cache_dir else None
    if cached is not None and cached.is_file():
        try:
            with np.load(cached) as stored:
                return SegTables(**{name: stored[name] for name in SegTables._fields})
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable segmenter cache %s (%s); rebuilding", cached, exc)
    tables = build()
    if cached is not None:
        _save(tables, cached)
    return tables


def _save(tables: SegTables, path: Path) -> None:
    """Write atomically (workers may build at once); a read-only disk only costs start time."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        tmp = Path(name)
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **tables._asdict())
        tmp.replace(path)
        for stale in path.parent.glob("snownlp-seg-*.npz"):
            if stale != path:  # another snownlp release or an older table format
                stale.unlink(missing_ok=True)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        log.warning(
            "could not cache segmenter tables in %s (%s); they are rebuilt at each start",
            path.parent,
            exc,
        )
