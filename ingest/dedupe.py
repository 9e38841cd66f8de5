"""Connectors: flag likely duplicates (same author, near-identical text, within a window).

Customers often say the same thing on several channels: a review, then an
email, then a forum post. Such items are kept (each is real feedback on its
channel) but the later ones carry ``duplicate_of``, so counts per customer can
leave them out. The index is a small SQLite file in the data dir, shared by
every connector process on the machine.

Cost is bounded whatever one author sends: texts are compared by their first
:data:`PREFIX_CHARS` normalised characters, as sets of character pairs (linear
in the prefix, not the quadratic longest-match of ``difflib``), against at most
:data:`MAX_CANDIDATES` of the author's latest items, and the comparisons run
outside the index's lock.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from radar.clock import Clock, SystemClock, to_millis
from radar.events import FeedbackEvent

#: Texts shorter than this (after normalising) are too generic ("好评") to call duplicates.
MIN_CHARS = 8
#: Normalised characters of a text that are compared (two texts that start alike for this
#: long are the same complaint told twice).
PREFIX_CHARS = 2_000
#: The author's items in the window a new one is compared with, newest first.
MAX_CANDIDATES = 20
_KEEP_DAYS = 8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS recent (
    id TEXT PRIMARY KEY,
    author TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL,
    text TEXT NOT NULL,
    duplicate_of TEXT
);
CREATE INDEX IF NOT EXISTS ix_recent_author ON recent (author, created_ms);
"""


def normalise_text(text: str) -> str:
    """Letters and digits only, case-folded: punctuation and spacing do not make text new."""
    return "".join(re.findall(r"\w+", text.casefold()))


Shingles = Counter[str]


def shingles(text: str) -> Shingles:
    """The character pairs of a normalised text's prefix, counted (one character: itself)."""
    head = text[:PREFIX_CHARS]
    if len(head) < 2:
        return Counter([head] if head else [])
    return Counter(head[i : i + 2] for i in range(len(head) - 1))


def _overlap(left: Shingles, right: Shingles) -> float:
    total = left.total() + right.total()
    return 2 * (left & right).total() / total if total else 0.0


def similarity(a: str, b: str) -> float:
    """0..1, how much of two normalised texts is the same (Dice overlap of character pairs).

    Linear in the (bounded) prefixes: an edit changes at most two pairs, so one
    changed character in a 100-character complaint still scores 0.98.
    """
    return _overlap(shingles(a), shingles(b))


class DuplicateIndex:
    """Answers "did this author say nearly the same thing recently?" for each new event.

    The answer for an id is remembered, so re-ingesting an item gives the same
    ``duplicate_of`` as the first time.
    """

    def __init__(
        self,
        path: Path,
        *,
        window: timedelta = timedelta(hours=24),
        threshold: float = 0.9,
        clock: Clock | None = None,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.window_ms = int(window.total_seconds() * 1000)
        self.threshold = threshold
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._inserts = 0

    def flag(self, event: FeedbackEvent) -> str | None:
        """The id of an earlier likely duplicate of ``event``, or None; remembers ``event``."""
        text = normalise_text(event.text[: PREFIX_CHARS * 4])[:PREFIX_CHARS]
        if not event.author or len(text) < MIN_CHARS or self.window_ms <= 0:
            return None
        created = to_millis(event.created_at)
        with self._lock, self._conn:
            known = self._conn.execute(
                "SELECT duplicate_of FROM recent WHERE id = ?", (event.id,)
            ).fetchone()
            if known is not None:
                return str(known[0]) if known[0] else None
            rows = self._conn.execute(
                "SELECT id, substr(text, 1, ?), created_ms FROM recent "
                "WHERE author = ? AND created_ms BETWEEN ? AND ? "
                "ORDER BY created_ms DESC LIMIT ?",
                (
                    PREFIX_CHARS,
                    event.author,
                    created - self.window_ms,
                    created + self.window_ms,
                    MAX_CANDIDATES,
                ),
            ).fetchall()
        # bounded work (MAX_CANDIDATES x PREFIX_CHARS), done without holding the index
        mine = shingles(text)
        matches = [
            (other_created, row_id)
            for row_id, other, other_created in rows
            if _overlap(mine, shingles(other)) >= self.threshold
        ]
        original = min(matches)[1] if matches else None
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR IGNORE INTO recent "
                "(id, author, created_ms, seen_ms, text, duplicate_of) VALUES (?, ?, ?, ?, ?, ?)",
                (event.id, event.author, created, to_millis(self.clock.now()), text, original),
            )
            self._inserts += 1
            if self._inserts % 1000 == 0:
                self._prune()
        return original

    def _prune(self) -> None:
        cutoff = to_millis(self.clock.now() - timedelta(days=_KEEP_DAYS))
        self._conn.execute("DELETE FROM recent WHERE seen_ms < ?", (cutoff,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
