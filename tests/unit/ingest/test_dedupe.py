"""Duplicate flags: same author, near-identical text, within the window; stable per id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.dedupe import DuplicateIndex, normalise_text, similarity
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
        text=text,  # type: ignore[arg-type]
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
