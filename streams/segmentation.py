"""Understanding stage: Chinese word segmentation (jieba), loaded once per process, on first need.

jieba ships its dictionary; the first load builds a cache of it (about 9 MB) in
the Radar cache folder, later loads read it (about 1 s, about 80 MB resident).
The taxonomy's terms are added to the dictionary so that they are cut whole.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

#: dictionary frequency given to the taxonomy's terms (common words have 10^4-10^5)
TERM_FREQ = 50_000
_lock = threading.Lock()
_segmenter: Any = None
_added: set[str] = set()


def segmenter(words: Iterable[str] = ()) -> Any:
    """jieba's tokenizer with ``words`` in its dictionary (built on first use, about 1 s)."""
    global _segmenter
    with _lock:
        if _segmenter is None:
            _segmenter = _load()
        new = [w for w in words if w not in _added]
        for word in new:
            # frequent enough to be cut whole against an overlapping word (差评说 is
            # 差评/说, not jieba's 差/评说)
            _segmenter.add_word(word, freq=max(_segmenter.FREQ.get(word) or 0, TERM_FREQ))
            _added.add(word)
        return _segmenter


def _load() -> Any:
    with warnings.catch_warnings():
        # jieba imports pkg_resources, which newer setuptools flag as deprecated
        warnings.filterwarnings("ignore", message=".*pkg_resources.*")
        warnings.simplefilter("ignore", DeprecationWarning)
        import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = _cache_dir()  # its dictionary cache, built on the first load
    tokenizer.initialize()
    return tokenizer


def _cache_dir() -> str | None:
    from radar.settings import CoreSettings

    try:
        path = CoreSettings().resolved_cache_dir
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        log.warning("no cache folder for the word segmenter (%s); using the system's", exc)
        return None
    return str(path)


__all__ = ["TERM_FREQ", "segmenter"]
