"""Response times: conversations, their first staff reply, waits per group and the backlog
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from radar.clock import ManualClock
from radar.events import ScoredEvent, make_event_id
from radar.store import Store, make_engine
from radar.store.listing import MessageFilter
from radar.store.responses import (
    age_bucket,
    backlog,
    backlog_by_age,
    conversations,
    quantile,
    waits,
    waits_by,
)
from radar.store.rollups import ResponseSla

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
N = 0


def message(channel: str, hours_ago: float, **fields: Any) -> ScoredEvent:
    global N
    N += 1
    values: dict[str, Any] = {
        "id": make_event_id(channel, "desk", str(N)),
        "channel": channel,
        "source": "desk",
        "external_id": f"m{N}",
        "text": f"在吗 {N}",
        "created_at": NOW - timedelta(hours=hours_ago),
        "ingested_at": NOW,
        "sentiment": 0.4,
        "sentiment_label": "neu",
        "scored_at": NOW,
    }
    values.update(fields)
    return ScoredEvent(**values)


def reply(channel: str, hours_ago: float, **fields: Any) -> ScoredEvent:
    return message(channel, hours_ago, is_staff_reply=True, text="您好", **fields)


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(make_engine(store_url), ManualClock(NOW))
    s.create_schema()
    return s


def period(**fields: Any) -> MessageFilter:
    return MessageFilter(since=NOW - timedelta(days=7), until=NOW, **fields)


class TestConversations:
    def test_first_reply_by_thread_or_reply_to(self, store: Store) -> None:
        store.add_scored(
            [
                # a chat: two customer messages, answered 30 minutes after the first
                message("chat", 10, thread_id="c1", department="物流", product="手机"),
                message("chat", 9.8, thread_id="c1", department="物流", product="手机"),
                reply("chat", 9.5, thread_id="c1"),
                reply("chat", 9, thread_id="c1"),
                # an email without a thread, answered by reply_to after 4 hours
                message("email", 20, external_id="mail-1", department="售后", product="平板"),
                reply("email", 16, reply_to="mail-1"),
                # a forum post never answered; a review is no conversation
                message("forum", 30, thread_id="f1", department="售后"),
                message("review", 5),
                # a reply before the question does not answer it
                reply("chat", 50, thread_id="c2"),
                message("chat", 40, thread_id="c2"),
                # the same thread id on another source is another conversation
                reply("chat", 39, thread_id="c2", source="other-desk"),
            ]
        )
        found = {c.thread: c for c in conversations(store, period(), NOW)}
        assert set(found) == {"c1", "mail-1", "f1", "c2"}
        assert found["c1"].wait == timedelta(minutes=30)
        assert found["mail-1"].wait == timedelta(hours=4)
        assert found["f1"].answered_at is None and found["c2"].answered_at is None
        assert found["c1"].department == "物流"

    def test_filters_and_shop_scope(self, store: Store) -> None:
        store.add_scored(
            [
                message("chat", 3, thread_id="a", shop="旗舰店"),
                message("chat", 3, thread_id="b", shop="专营店"),
                message("email", 3, shop="旗舰店"),
            ]
        )
        assert len(conversations(store, period().within(["旗舰店"]), NOW)) == 2
        assert len(conversations(store, period(channel=("email",)), NOW)) == 1
        assert conversations(store, period(channel=("review",)), NOW) == []

    def test_each_copy_waits_for_its_own_reply(self, store: Store) -> None:
        first = message("chat", 5, thread_id="x")
        copy = message("email", 4.5, duplicate_of=first.id)
        store.add_scored([first, copy, reply("chat", 4, thread_id="x")])
        found = conversations(store, period(), NOW)
        assert len(found) == 2
        assert sorted(c.answered_at is not None for c in found) == [False, True]


class TestWaits:
    def test_median_p90_and_sla(self, store: Store) -> None:
        batch = []
        for n, minutes in enumerate([10, 20, 30, 60, 600]):
            batch.append(message("chat", 48, thread_id=f"t{n}", department="物流"))
            batch.append(reply("chat", 48 - minutes / 60, thread_id=f"t{n}"))
        batch.append(message("chat", 48, thread_id="open", department="售后"))
        batch.append(message("chat", 1, thread_id="young", department="售后"))  # not due yet
        store.add_scored(batch)
        found = conversations(store, period(), NOW)
        sla = ResponseSla(6.0)
        summary = waits(found, sla, NOW)
        assert (summary.conversations, summary.answered) == (7, 5)
        assert summary.median_hours == pytest.approx(0.5)
        assert summary.p90_hours == pytest.approx(quantile([1 / 6, 1 / 3, 0.5, 1.0, 10.0], 0.9))
        assert summary.within_sla == pytest.approx(4 / 6)  # the young one is not due yet
        groups = {w.key["department"]: w for w in waits_by(found, "department", sla, NOW)}
        assert groups["物流"].answered == 5 and groups["售后"].answered == 0
        assert groups["售后"].median_hours is None
        with pytest.raises(ValueError, match="cannot group"):
            waits_by(found, "text", sla, NOW)

    def test_quantile_matches_numpy(self) -> None:
        import numpy as np

        values = sorted([0.2, 5.0, 1.5, 3.3, 9.9, 0.7])
        for q in (0.1, 0.5, 0.9):
            assert quantile(values, q) == pytest.approx(float(np.percentile(values, 100 * q)))
        assert quantile([], 0.5) is None


class TestBacklog:
    def test_waiting_conversations_by_age(self, store: Store) -> None:
        store.add_scored(
            [
                message("chat", 0.5, thread_id="a"),
                message("chat", 3, thread_id="b"),
                message("email", 30),
                message("forum", 100, thread_id="d"),
                message("forum", 24 * 40, thread_id="too-old"),  # beyond the backlog's reach
                message("chat", 2, thread_id="answered"),
                reply("chat", 1, thread_id="answered"),
            ]
        )
        waiting = backlog(store, period(), NOW)
        assert waiting[0].thread == "d"  # the longest waiting first
        assert len(waiting) == 4
        assert backlog_by_age(waiting, NOW) == [
            {"age": "lt_1h", "channel": "chat", "conversations": 1},
            {"age": "1h_6h", "channel": "chat", "conversations": 1},
            {"age": "1d_3d", "channel": "email", "conversations": 1},
            {"age": "gt_3d", "channel": "forum", "conversations": 1},
        ]

    @pytest.mark.parametrize(
        ("hours", "bucket"),
        [(0, "lt_1h"), (0.99, "lt_1h"), (1, "1h_6h"), (23.9, "6h_24h"), (72, "gt_3d")],
    )
    def test_age_buckets(self, hours: float, bucket: str) -> None:
        assert age_bucket(timedelta(hours=hours)) == bucket


def test_figures_hold_star_ratings(store: Store) -> None:
    from radar.store.listing import key_figures

    store.add_scored([message("review", 2, rating=5), message("review", 3, rating=2)])
    figures = key_figures(store, period())[0].as_dict()
    assert figures["rating"] == pytest.approx(3.5) and figures["ratings"] == 2
