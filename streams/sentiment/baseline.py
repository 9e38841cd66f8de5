"""Sentiment: snownlp's reference scores for a labelled set, computed in parallel and cached.

snownlp is slow (about 70 texts/s on one core), and cross-validation compares
against its scores on every training review, so they are computed once per
(file, snownlp version) and kept in a git-ignored ``.cache/`` file. The ``fast``
engine gives the same scores much faster; it is used when it is registered.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

from streams.sentiment import ENGINES, get_engine

DEFAULT_CACHE_DIR = Path(".cache") / "sentiment"
_CHUNK = 250

#: called with (texts done, texts in all) as work completes
Progress = Callable[[int, int], None]


def reference_engine_name() -> str:
    """``fast`` when it is registered (same scores as snownlp, faster), else ``snownlp``."""
    return "fast" if "fast" in ENGINES else "snownlp"


def cache_path(digest: str, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Where snownlp's scores for the set with content ``digest`` are kept."""
    return cache_dir / f"snownlp-{version('snownlp')}-{digest[:24].replace(':', '-')}.npy"


def _score_chunk(texts: Sequence[str]) -> list[float]:
    return get_engine(reference_engine_name()).score_batch(texts)


def compute_scores(
    texts: Sequence[str], *, processes: int = 2, progress: Progress | None = None
) -> np.ndarray:
    """snownlp's score for each text, in order, using ``processes`` worker processes."""
    chunks = [texts[start : start + _CHUNK] for start in range(0, len(texts), _CHUNK)]
    scores: list[float] = []
    if processes <= 1:
        results = map(_score_chunk, chunks)
        for part in results:
            scores.extend(part)
            if progress:
                progress(len(scores), len(texts))
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes) as pool:
            for part in pool.imap(_score_chunk, chunks):
                scores.extend(part)
                if progress:
                    progress(len(scores), len(texts))
    return np.asarray(scores, dtype=np.float64)


def reference_scores(
    texts: Sequence[str],
    digest: str,
    *,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    processes: int = 2,
    progress: Progress | None = None,
) -> np.ndarray:
    """snownlp's scores for ``texts`` (whose content hash is ``digest``), from the cache if there.

    ``digest`` must identify the texts exactly (the CSV's hash, plus the row
    selection for a subset), since it is the cache key.
    """
    path = cache_path(digest, cache_dir)
    if path.is_file():
        cached = np.load(path)
        if cached.shape == (len(texts),):
            return cached
    scores = compute_scores(texts, processes=processes, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npy")
    np.save(partial, scores)
    partial.replace(path)
    return scores
