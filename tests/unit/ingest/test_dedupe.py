"""Duplicate flags: same author, near-identical text, within the window; stable per id."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import dedupe
from ingest.dedupe import MAX_CANDIDATES, PREFIX_CHARS, DuplicateIndex, normalise_text, similarity
from radar.events import FeedbackEvent

T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)


def event(
    id_: str, text: str, author: str | None = "u_1", hours: float = 0, channel: str = "review"
) -> FeedbackEvent:
    at = T0 + timedelta(hours=hours)
    return FeedbackEvent(
        id=id_ * 8,
        channel=channel,
        source="s",
        external_id=id_,
        text=text[:50_000],  # type: ignore[arg-type]
        created_at=at,
        ingested_at=at,
        author=author,
    )


class TestDuplicateIndex:
    def test_same_author_near_identical_text_on_another_channel_is_flagged(
        self, tmp_path: Path
    ) -> None:
        index = DuplicateIndex(tmp_path / "d.sqlite")
        first = event("a", "热水器用了三天就漏水了，客服也不回复，要求退货！")
        again = event(
            "b", "热水器用了三天就漏水了，客服也不回复，要求退货。", hours=2, channel="email"
        )
        assert index.flag(first) is None
        assert index.flag(again) == first.id
        assert index.flag(again) == first.id  # re-ingest: the same answer

    def test_other_authors_other_texts_and_old_items_are_not(self, tmp_path: Path) -> None:
        index = DuplicateIndex(tmp_path / "d.sqlite", window=timedelta(hours=24))
        index.flag(event("a", "热水器用了三天就漏水了，客服也不回复"))
        assert index.flag(event("b", "热水器用了三天就漏水了，客服也不回复", author="u_2")) is None
        assert index.flag(event("c", "物流很快，包装也很好，下次还来买", hours=1)) is None
        assert index.flag(event("d", "热水器用了三天就漏水了，客服也不回复", hours=30)) is None
        assert index.flag(event("e", "好评好评", hours=1)) is None  # too short to judge
        assert index.flag(event("f", "热水器用了三天就漏水了，客服也不回复", author=None)) is None

    def test_index_is_shared_through_the_file(self, tmp_path: Path) -> None:
        DuplicateIndex(tmp_path / "d.sqlite").flag(event("a", "退款申请一周了还没有处理结果"))
        other = DuplicateIndex(tmp_path / "d.sqlite")
        assert other.flag(event("b", "退款申请一周了还没有处理结果!!", hours=1)) == "a" * 8


def test_similarity_ignores_punctuation_and_case() -> None:
    assert normalise_text("Hello, 世界！") == "hello世界"
    assert similarity("abcdefgh", "abcdefgh") == 1.0
    assert similarity("abcdefgh", "zzzzzzzz") < 0.5


class TestBoundedCost:
    """Hostile authors: long texts, many items. The work per item has a fixed ceiling."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.text(alphabet="ab差评", min_size=PREFIX_CHARS, max_size=PREFIX_CHARS + 50),
        st.text(alphabet="ab差评", min_size=PREFIX_CHARS, max_size=PREFIX_CHARS + 50),
        st.text(alphabet="abc好", max_size=5000),
        st.text(alphabet="abc好", max_size=5000),
    )
    def test_only_a_bounded_prefix_is_compared(self, a: str, b: str, x: str, y: str) -> None:
        """Whatever follows the first PREFIX_CHARS characters costs nothing (and changes
        nothing): difflib's ratio was quadratic in the whole text, 12 s for 10,000 'ab'."""
        assert similarity(a + x, b + y) == similarity(a, b)

    @settings(max_examples=60, deadline=None)
    @given(st.text(alphabet="物流太慢客服不回复退款质量差", min_size=60, max_size=400), st.data())
    def test_one_changed_character_is_still_a_duplicate(
        self, text: str, data: st.DataObject
    ) -> None:
        at = data.draw(st.integers(0, len(text) - 1))
        edited = text[:at] + "改" + text[at + 1 :]
        assert similarity(text, edited) >= 0.9

    def test_an_item_is_compared_with_at_most_the_authors_latest_few_outside_the_lock(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        index = DuplicateIndex(tmp_path / "d.sqlite")
        calls: list[bool] = []
        real = dedupe._overlap

        def counted(left: dedupe.Shingles, right: dedupe.Shingles) -> float:
            calls.append(index._lock.locked())
            return real(left, right)

        monkeypatch.setattr(dedupe, "_overlap", counted)
        noise = random.Random(5)
        for n in range(MAX_CANDIDATES + 10):
            text = "".join(noise.choice("ab") for _ in range(3000))
            index.flag(event(f"{n:04d}", text, hours=n / 1000))
        assert len(calls) <= sum(min(n, MAX_CANDIDATES) for n in range(MAX_CANDIDATES + 10))
        calls.clear()
        index.flag(event("last", "".join(noise.choice("ab") for _ in range(1_000_000))))
        assert len(calls) == MAX_CANDIDATES and not any(calls)
