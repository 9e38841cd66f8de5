"""Tracked keys of a detection partition: bounded, heavy hitters admitted, idle ones forgotten."""

from __future__ import annotations

from typing import Any

from streams.keys import KeyBook, KeyLimits
from streams.windows import dim_kind

HOUR = 3_600_000


class Book:
    """A key book over a plain dict, with weights and busy keys set by the test."""

    def __init__(self, max_keys: int = 3, admit_min: int = 5, idle_s: float = 86400) -> None:
        self.state: dict[str, Any] = {}
        self.weights: dict[str, float] = {}
        self.busy: set[str] = set()
        self.dropped: list[str] = []
        self.book = KeyBook(
            self.state,
            KeyLimits(max_keys=max_keys, admit_min=admit_min, idle_s=idle_s),
            kind=dim_kind,
            weight=lambda mp, dim: self.weights.get(dim, 0.0),
            busy=lambda mp, dim: dim in self.busy,
            drop=lambda mp, dim: self.dropped.append(dim),
        )


def test_every_key_is_tracked_while_there_is_room() -> None:
    b = Book()
    assert all(b.book.offer(0, f"product=p{i}", 0, complaints=0) for i in range(3))
    assert set(b.book.tracked(0)) == {"product=p0", "product=p1", "product=p2"}


def test_a_full_book_refuses_light_keys_and_never_grows() -> None:
    b = Book()
    for i in range(1000):
        b.book.offer(0, f"product=p{i}", 0, complaints=1)
    assert len(b.book.tracked(0)) == 3 and b.book.refused == 997


def test_a_heavy_newcomer_replaces_the_lightest_idle_key() -> None:
    b = Book()
    for i in range(3):
        b.book.offer(0, f"product=p{i}", 0, complaints=0)
    b.weights = {"product=p0": 3.0, "product=p1": 0.1, "product=p2": 0.5}
    b.busy = {"product=p1"}  # in an episode: kept although lightest
    assert b.book.offer(0, "product=hot", HOUR, complaints=7)
    assert set(b.book.tracked(0)) == {"product=p0", "product=p1", "product=hot"}
    assert b.dropped == ["product=p2"]


def test_small_kinds_are_always_tracked() -> None:
    b = Book(max_keys=1)
    b.book.offer(0, "product=p0", 0, complaints=0)
    assert b.book.offer(0, "channel=chat", 0, complaints=0)
    assert b.book.offer(0, "topic=物流配送", 0, complaints=0)
    assert len(b.book.tracked(0)) == 3


def test_idle_keys_are_forgotten_busy_ones_kept() -> None:
    b = Book(idle_s=3600)
    for name in ("a", "b", "c"):
        b.book.offer(0, f"product={name}", 0, complaints=0)
    b.busy = {"product=b"}
    last = {"product=a": 0, "product=b": 0, "product=c": 2 * HOUR}
    assert b.book.forget_idle(0, 2 * HOUR + 10, last.get) == 1
    assert set(b.book.tracked(0)) == {"product=b", "product=c"} and b.dropped == ["product=a"]


def test_partitions_keep_separate_books() -> None:
    b = Book()
    b.book.offer(0, "product=a", 0, complaints=0)
    b.book.offer(1, "product=b", 0, complaints=0)
    assert list(b.book.tracked(0)) == ["product=a"] and list(b.book.tracked(1)) == ["product=b"]
