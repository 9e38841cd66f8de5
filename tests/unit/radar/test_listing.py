"""Messages by filter a page at a time, shop scopes and key figures (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from radar.clock import ManualClock
from radar.events import ScoredEvent, make_event_id
from radar.store import Store, make_engine
from radar.store.listing import (
    BadCursor,
    MessageFilter,
    get_message,
    iter_messages,
    key_figures,
    list_messages,
)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def event(n: int, **fields: Any) -> ScoredEvent:
    values: dict[str, Any] = {
        "id": make_event_id("chat", "src", str(n)),
        "channel": "chat",
        "source": "src",
        "external_id": str(n),
        "text": f"消息 {n}",
        "created_at": T0 + timedelta(minutes=n),
        "ingested_at": T0,
        "sentiment": 0.5,
        "sentiment_label": "neu",
        "scored_at": T0,
        "shop": "旗舰店" if n % 2 else "专营店",
    }
    values.update(fields)
    return ScoredEvent(**values)


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(make_engine(store_url), ManualClock(T0))
    s.create_schema()
    return s


def everything() -> MessageFilter:
    return MessageFilter(since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))


class TestPages:
    def test_pages_cover_every_message_once_newest_first(self, store: Store) -> None:
        batch = [event(n) for n in range(23)]
        # two messages at the same instant: the cursor must still tell them apart
        batch.append(event(100, created_at=T0 + timedelta(minutes=5)))
        store.add_scored(batch)
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = list_messages(store, everything(), limit=5, cursor=cursor)
            seen += [m["id"] for m in page.items]
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert pages == 5
        assert sorted(seen) == sorted(e.id for e in batch)
        assert len(seen) == len(set(seen))
        times = [m["created_at"] for m in list_messages(store, everything(), limit=500).items]
        assert times == sorted(times, reverse=True)

    def test_a_new_message_between_pages_is_not_repeated(self, store: Store) -> None:
        store.add_scored([event(n) for n in range(6)])
        first = list_messages(store, everything(), limit=3)
        store.add_scored([event(50)])  # newer than everything listed
        second = list_messages(store, everything(), limit=3, cursor=first.next_cursor)
        assert {m["id"] for m in first.items}.isdisjoint(m["id"] for m in second.items)
        assert len(first.items) + len(second.items) == 6

    @pytest.mark.parametrize("cursor", ["nonsense!", "MTIz", ""])
    def test_a_forged_cursor_is_refused(self, store: Store, cursor: str) -> None:
        if not cursor:
            assert list_messages(store, everything(), cursor=cursor).items == []
            return
        with pytest.raises(BadCursor, match="next_cursor"):
            list_messages(store, everything(), cursor=cursor)

    def test_export_iterates_past_one_page(self, store: Store) -> None:
        store.add_scored([event(n) for n in range(12)])
        rows = list(iter_messages(store, everything(), max_rows=7))
        assert len(rows) == 7
        assert len(list(iter_messages(store, everything()))) == 12


class TestFilters:
    def test_dimensions_topics_complaints_and_severity(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, product="手机", topics=["物流配送"], is_complaint=True, severity=2),
                event(2, product="手机", topics=["商品质量"], is_complaint=True, severity=1),
                event(3, product="平板", topics=["物流配送"]),
                event(4, product="手机", channel="email", topics=["物流配送"]),
            ]
        )
        base = everything()

        def ids(where: MessageFilter) -> set[str]:
            return {m["external_id"] for m in list_messages(store, where).items}

        assert ids(MessageFilter(**{**base.__dict__, "product": ("手机",)})) == {"1", "2", "4"}
        assert ids(MessageFilter(**{**base.__dict__, "topic": ("物流配送",)})) == {"1", "3", "4"}
        assert ids(MessageFilter(**{**base.__dict__, "complaint": True})) == {"1", "2"}
        assert ids(MessageFilter(**{**base.__dict__, "min_severity": 2})) == {"1"}
        assert ids(MessageFilter(**{**base.__dict__, "channel": ("email",)})) == {"4"}
        assert ids(MessageFilter(**{**base.__dict__, "shop": ("旗舰店",)})) == {"1", "3"}

    def test_staff_replies_and_copies_only_when_asked(self, store: Store) -> None:
        first = event(1)
        store.add_scored(
            [
                first,
                event(2, is_staff_reply=True),
                event(3, duplicate_of=first.id),
            ]
        )
        assert [m["external_id"] for m in list_messages(store, everything()).items] == ["1"]
        wide = MessageFilter(
            since=everything().since, until=everything().until, staff_replies=True, duplicates=True
        )
        assert len(list_messages(store, wide).items) == 3

    def test_a_shop_scope_never_shows_other_shops_or_none(self, store: Store) -> None:
        store.add_scored([event(1), event(2), event(3, shop=None)])
        scoped = everything().within(["旗舰店"])
        assert [m["shop"] for m in list_messages(store, scoped).items] == ["旗舰店"]
        # asking for another shop inside a scope finds nothing, not the other shop
        other = MessageFilter(
            since=scoped.since, until=scoped.until, shop=("专营店",), shops=scoped.shops
        )
        assert list_messages(store, other).items == []
        assert list_messages(store, everything().within([])).items == []
        hidden = make_event_id("chat", "src", "2")
        assert get_message(store, hidden, ["旗舰店"]) is None
        assert get_message(store, hidden, None) is not None


class TestFigures:
    def test_totals_and_groups(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, is_complaint=True, csat=5, nps=10, sentiment=0.2),
                event(2, csat=2, nps=3, sentiment=0.8),
                event(3, is_complaint=True, nps=9, sentiment=0.5),
                event(4, created_at=T0 + timedelta(hours=15), csat=4),  # 01:00 the next day
            ]
        )
        total, by_shop = key_figures(store, everything(), "shop")
        figures = total.as_dict()
        assert figures["volume"] == 4
        assert figures["complaint_rate"] == pytest.approx(0.5)
        assert figures["csat"] == pytest.approx(2 / 3)
        assert figures["nps"] == pytest.approx(100 * (2 - 1) / 3)
        assert {g.key["shop"]: g.volume for g in by_shop} == {"旗舰店": 2, "专营店": 2}
        _, by_day = key_figures(store, everything(), "day", "Asia/Shanghai")
        assert [(g.key["day"], g.volume) for g in by_day] == [
            ("2026-11-20", 3),
            ("2026-11-21", 1),
        ]

    def test_no_answers_is_no_figure(self, store: Store) -> None:
        store.add_scored([event(1)])
        figures = key_figures(store, everything())[0].as_dict()
        assert figures["csat"] is None and figures["nps"] is None

    def test_unknown_grouping_is_named(self, store: Store) -> None:
        with pytest.raises(ValueError, match="cannot group by 'text'"):
            key_figures(store, everything(), "text")
