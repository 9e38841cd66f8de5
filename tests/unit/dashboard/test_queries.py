"""Dashboard queries and store tables on both databases (SQLite file and real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dashboard.analysis.effects import windows
from dashboard.queries import counts, health, improvements, overview, products, topics
from dashboard.queries.filters import Filters
from radar.clock import ManualClock
from radar.events import ScoredEvent, make_event_id
from radar.store import Store, make_engine
from radar.store.audit import recent_actions, record_action
from radar.store.health import latest_pipeline_stats, pipeline_stats_since, record_pipeline_stats
from radar.store.improvements import list_improvements, record_improvement, shipped_at_for
from radar.store.indexes import refresh_statistics
from radar.store.refresh import refresh_rollups
from radar.store.rollups import (
    ResponseSla,
    hour_ranges,
    hourly_stats,
    read_hourly_stats,
    refresh_hourly_stats,
    rollup_state,
)

DAY = datetime(2026, 11, 20, tzinfo=UTC)
HOUR = 3_600_000


def event(n: int, channel: str, hours: float, **fields: object) -> ScoredEvent:
    values: dict[str, object] = {
        "id": make_event_id(channel, "s", str(n)),
        "channel": channel,
        "source": "s",
        "external_id": str(n),
        "text": "t",
        "created_at": DAY + timedelta(hours=hours),
        "ingested_at": DAY,
        "sentiment": 0.5,
        "sentiment_label": "neu",
        "scored_at": DAY,
    }
    values.update(fields)
    return ScoredEvent(**values)  # type: ignore[arg-type]


def copy_of(first: ScoredEvent, copy: ScoredEvent) -> ScoredEvent:
    """``copy`` flagged at ingest as a likely duplicate of ``first``."""
    return copy.model_copy(update={"duplicate_of": first.id})


@pytest.fixture
def store(store_url: str) -> Store:
    opened = Store(make_engine(store_url))
    opened.create_schema()
    opened.create_schema()  # twice is harmless
    refresh_statistics(opened.engine)
    return opened


class TestRollups:
    def test_hourly_stats_count_what_the_events_say(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, "chat", 0.1, is_complaint=True, thread_id="c1", sentiment=0.2),
                event(2, "chat", 0.5, is_staff_reply=True, thread_id="c1"),  # answered in 24 min
                event(3, "chat", 0.2, is_complaint=True, thread_id="c2"),
                event(4, "chat", 7.0, is_staff_reply=True, thread_id="c2"),  # answered after 6.8 h
                event(5, "email", 0.3, is_complaint=True),
                event(6, "email", 2.0, is_staff_reply=True, reply_to="5"),  # by reply_to, in time
                event(7, "survey", 0.4, csat=5, nps=10, sentiment=0.9),
                event(8, "survey", 0.6, csat=2, nps=3),
                event(
                    9, "review", 0.7, is_complaint=True
                ),  # reviews get no replies: not in the SLA
            ]
        )
        assert refresh_hourly_stats(store, ResponseSla(6.0)) > 0
        rows = {r["channel"]: r for r in read_hourly_stats(store, DAY, DAY + timedelta(hours=1))}
        assert rows["chat"]["volume"] == 2 and rows["chat"]["complaints"] == 2
        assert rows["chat"]["sla_complaints"] == 2 and rows["chat"]["sla_answered"] == 1
        assert rows["chat"]["staff_replies"] == 1
        assert abs(rows["chat"]["sentiment_sum"] - 0.7) < 1e-9
        assert rows["email"]["sla_answered"] == 1
        assert (rows["survey"]["csat_n"], rows["survey"]["csat_satisfied"]) == (2, 1)
        assert (rows["survey"]["promoters"], rows["survey"]["detractors"]) == (1, 1)
        assert rows["review"]["sla_complaints"] == 0

    def test_incremental_refresh_sees_late_replies_and_new_events(self, store: Store) -> None:
        store.add_scored([event(1, "forum", 0.1, is_complaint=True, thread_id="t1")])
        refresh_hourly_stats(store)
        (row,) = read_hourly_stats(store, DAY, DAY + timedelta(hours=1))
        assert row["sla_answered"] == 0
        later = Store(store.engine)
        later.clock.now = lambda: datetime.now(UTC) + timedelta(hours=1)  # type: ignore[method-assign]
        later.add_scored(
            [
                event(2, "forum", 3.0, is_staff_reply=True, thread_id="t1"),
                event(3, "forum", 0.2),
            ]
        )
        refresh_hourly_stats(store)
        (row,) = read_hourly_stats(store, DAY, DAY + timedelta(hours=1))
        assert (row["volume"], row["sla_answered"]) == (2, 1)
        assert refresh_hourly_stats(store) >= 0  # idempotent
        assert read_hourly_stats(store, DAY, DAY + timedelta(hours=1))[0]["volume"] == 2

    def test_a_changed_sla_rebuilds(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, "chat", 0.1, is_complaint=True, thread_id="c"),
                event(2, "chat", 3.0, is_staff_reply=True, thread_id="c"),
            ]
        )
        refresh_hourly_stats(store, ResponseSla(6.0))
        refresh_hourly_stats(store, ResponseSla(2.0, {"chat": 1.0}))
        (row,) = read_hourly_stats(store, DAY, DAY + timedelta(hours=1))
        assert row["sla_answered"] == 0

    def test_hours_of_a_zone_half_an_hour_off_start_at_half_past(self, store: Store) -> None:
        store.add_scored([event(1, "chat", 0.2), event(2, "chat", 0.7)])  # 00:12 and 00:42 UTC
        refresh_hourly_stats(store, timezone="Asia/Kolkata")  # UTC+05:30
        rows = read_hourly_stats(store, DAY - timedelta(hours=1), DAY + timedelta(hours=1))
        starts = [(r["hour"] - int(DAY.timestamp() * 1000)) // 60_000 for r in rows]
        assert starts == [-30, 30]  # 05:30 and 06:30 in India: each message in its local hour
        refresh_hourly_stats(store)  # Beijing: whole UTC hours again, nothing left of the others
        rows = read_hourly_stats(store, DAY - timedelta(hours=1), DAY + timedelta(hours=1))
        assert [(r["hour"], r["volume"]) for r in rows] == [(int(DAY.timestamp() * 1000), 2)]

    def test_a_likely_duplicate_counts_once_but_waits_for_its_own_reply(self, store: Store) -> None:
        first = event(1, "review", 0.1, is_complaint=True, sentiment=0.1)
        store.add_scored(
            [
                first,
                copy_of(first, event(2, "chat", 0.2, is_complaint=True, thread_id="c")),
                copy_of(first, event(3, "email", 0.3, is_complaint=True, csat=1, nps=0)),
                event(4, "chat", 0.5, is_staff_reply=True, thread_id="c"),
                # a staff template flagged against the same agent's earlier reply: still a reply
                copy_of(
                    event(4, "chat", 0), event(5, "email", 0.6, is_staff_reply=True, reply_to="3")
                ),
            ]
        )
        refresh_hourly_stats(store, ResponseSla(6.0))
        rows = {r["channel"]: r for r in read_hourly_stats(store, DAY, DAY + timedelta(hours=1))}
        assert (rows["review"]["volume"], rows["review"]["complaints"]) == (1, 1)
        assert sum(r["volume"] for r in rows.values()) == 1
        assert sum(r["complaints"] for r in rows.values()) == 1
        assert sum(r["sentiment_sum"] for r in rows.values()) == pytest.approx(0.1)
        assert (rows["email"]["csat_n"], rows["email"]["nps_n"]) == (0, 0)
        # each conversation waits for its own reply, like the unanswered detector
        assert (rows["chat"]["sla_complaints"], rows["chat"]["sla_answered"]) == (1, 1)
        assert (rows["email"]["sla_complaints"], rows["email"]["sla_answered"]) == (1, 1)
        assert rows["chat"]["staff_replies"] == 1 and rows["email"]["staff_replies"] == 1

    def test_hours_rolled_up_under_an_older_counting_rule_are_rebuilt(self, store: Store) -> None:
        first = event(1, "review", 0.1, is_complaint=True)
        store.add_scored([first, copy_of(first, event(2, "review", 0.2, is_complaint=True))])
        refresh_hourly_stats(store)
        with store.engine.begin() as conn:  # as an older version left them: every copy counted
            conn.execute(hourly_stats.update().values(volume=2, complaints=2))
            conn.execute(
                rollup_state.update()
                .where(rollup_state.c.name == "hourly_stats")
                .values(params=ResponseSla().key())
            )
        refresh_hourly_stats(store)
        (row,) = read_hourly_stats(store, DAY, DAY + timedelta(hours=1))
        assert (row["volume"], row["complaints"]) == (1, 1)

    def test_hour_ranges(self) -> None:
        assert hour_ranges([0, HOUR, 3 * HOUR]) == [(0, 2 * HOUR), (3 * HOUR, 4 * HOUR)]
        assert len(hour_ranges(range(0, 30 * HOUR, HOUR), max_hours=10)) == 3


class TestEventQueries:
    def test_heatmap_rising_windows_messages_and_dimensions(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, "review", 1, is_complaint=True, topics=["物流配送"], region="浙江"),
                event(
                    2,
                    "review",
                    30,
                    is_complaint=True,
                    topics=["物流配送", "客服态度"],
                    region="浙江",
                ),
                event(3, "chat", 30.5, is_complaint=True, topics=["物流配送"], region="广东"),
                event(4, "chat", 31, topics=["物流配送"], region="广东"),  # not a complaint
                event(
                    5, "chat", 31, is_staff_reply=True, topics=["物流配送"]
                ),  # staff: never counted
            ]
        )
        refresh_rollups(store, ResponseSla())
        until = DAY + timedelta(hours=48)
        everything = Filters(DAY, until)
        heat = topics.heatmap(store, everything, 86_400_000)
        got = {(t, b - int(DAY.timestamp() * 1000), n) for t, b, n in heat.itertuples(index=False)}
        # Beijing days: 11-20 starts 8 h before DAY (00:00 UTC), 11-21 starts 16 h after it
        assert got == {
            ("物流配送", -8 * HOUR, 1),
            ("物流配送", 16 * HOUR, 2),
            ("客服态度", 16 * HOUR, 1),
        }
        in_utc = topics.heatmap(store, Filters(DAY, until, timezone="UTC"), 86_400_000)
        assert {b - int(DAY.timestamp() * 1000) for b in in_utc["bucket_ms"]} == {0, 24 * HOUR}
        windows = topics.topic_windows(store, everything, timedelta(hours=24)).set_index("topic")
        assert (windows.at["物流配送", "recent"], windows.at["物流配送", "before"]) == (2, 1)
        only = Filters(DAY, until, region=("浙江",), channel=("review",))
        assert set(topics.messages(store, only, topic="物流配送")["id"]) == {
            make_event_id("review", "s", "1"),
            make_event_id("review", "s", "2"),
        }
        assert topics.count_messages(store, only, "客服态度") == 1
        values = topics.dimension_values(store, DAY)
        assert values["channel"] == ["chat", "review"] and set(values["region"]) == {"浙江", "广东"}

    def test_a_first_copy_and_two_duplicates_are_one_message(self, store: Store) -> None:
        """The same customer on three channels: one voice in every count, one row in the list."""
        said = {"is_complaint": True, "topics": ["物流配送"], "region": "浙江", "product": "平板"}
        first = event(1, "review", 1, text="快递一周还没到，什么时候发货？", **said)
        copies = [
            copy_of(first, event(2, "email", 1.5, text="快递一周还没到，什么时候发货？？", **said)),
            copy_of(first, event(3, "forum", 2, text="快递一周了还没到，什么时候发货", **said)),
        ]
        fine = event(4, "chat", 3, topics=["物流配送"], region="浙江", product="平板", text="好")
        store.add_scored([first, *copies, fine])
        refresh_rollups(store, ResponseSla())
        until = DAY + timedelta(days=2)
        everything = Filters(DAY, until)

        hourly = overview.hourly(store, DAY, until)
        assert (hourly["volume"].sum(), hourly["complaints"].sum()) == (2, 1)
        for f in (everything, Filters(DAY, until, channel=("review", "email", "forum", "chat"))):
            scope = counts.scope_counts(store, f, 86_400_000)  # roll-ups, and events only
            assert (scope["messages"].sum(), scope["complaints"].sum()) == (2, 1)
        assert topics.heatmap(store, everything, 86_400_000)["complaints"].sum() == 1
        assert topics.heatmap(store, everything, HOUR)["complaints"].sum() == 1
        windows = topics.topic_windows(store, everything, timedelta(hours=24))
        assert (windows["recent"] + windows["before"]).sum() == 1
        assert topics.count_messages(store, everything, "物流配送") == 1
        assert topics.count_messages(store, everything, None) == 1

        listed = topics.messages(store, everything, topic="物流配送")
        assert list(listed["id"]) == [first.id]
        assert listed.at[0, "duplicates"] == 2
        assert listed.at[0, "duplicate_channels"] == ("email", "forum")
        # a copy is not listed on its own, even where only its channel is looked at
        assert topics.messages(store, Filters(DAY, until, channel=("email",))).empty
        found = topics.copies(store, [first.id])
        assert list(found["id"]) == [c.id for c in copies]
        assert set(found["first_id"]) == {first.id}
        assert list(found["channel"]) == ["email", "forum"]

        action = record_improvement(
            store,
            title="x",
            topic="物流配送",
            product="平板",
            shipped_at=DAY,
            owner="o",
            created_by="o",
        )
        assert improvements.scope_counts(store, action, DAY, until) == (1, 2)
        mix = products.topic_mix(store, "平板", DAY, until, 86_400_000)
        assert mix["messages"].sum() == 2
        assert products.texts(store, None, DAY, until, questions=True) == [first.text]
        assert sorted(products.texts(store, None, DAY, until)) == sorted([first.text, "好"])

    def test_improvement_scope_counts(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, "review", 1, is_complaint=True, topics=["商品质量"], product="平板"),
                event(2, "review", 2, product="平板"),
                event(3, "review", 3, is_complaint=True, topics=["物流配送"], product="平板"),
                event(4, "review", 4, is_complaint=True, topics=["商品质量"], product="手机"),
            ]
        )
        action = record_improvement(
            store,
            title="质检",
            topic="商品质量",
            product="平板",
            shipped_at=DAY,
            owner="wang",
            created_by="wang",
        )
        refresh_rollups(store, ResponseSla())
        assert improvements.scope_counts(store, action, DAY, DAY + timedelta(days=1)) == (1, 3)
        series = improvements.scope_series(store, action, DAY, DAY + timedelta(days=1), 86_400_000)
        assert list(series["complaints"]) == [1] and list(series["volume"]) == [3]

    def test_shipped_on_a_local_day_is_that_day_before_and_after(self, store: Store) -> None:
        """ "Shipped on 2026-11-21" in Beijing: kept as 11-20 16:00 UTC, read back as 11-21,
        and compared from Beijing midnight, whatever time of the day was kept."""
        store.add_scored(
            [
                event(1, "review", 14, product="耳机"),  # 11-20 22:00 in Beijing: before
                event(2, "review", 18, product="耳机", is_complaint=True),  # 11-21 02:00: after
            ]
        )
        refresh_rollups(store, ResponseSla())
        picked = date(2026, 11, 21)
        recorded = record_improvement(
            store,
            title="耳机质检",
            product="耳机",
            shipped_at=shipped_at_for(picked, "Asia/Shanghai"),
            owner="wang",
            created_by="wang",
        )
        (stored,) = list_improvements(store)
        assert stored.shipped_at == datetime(2026, 11, 20, 16, tzinfo=UTC)  # the store keeps UTC
        assert stored.shipped_on("Asia/Shanghai") == picked
        assert stored.shipped_on("UTC") == date(2026, 11, 20)
        # an action kept at 00:00 UTC (as the dashboard did before it counted Beijing days)
        # shipped on 11-21 in Beijing too, and is compared from the same midnight
        older = record_improvement(
            store,
            title="耳机质检",
            product="耳机",
            shipped_at=datetime(2026, 11, 21, tzinfo=UTC),
            owner="wang",
            created_by="wang",
        )
        now = DAY + timedelta(days=3)
        for action in (recorded, older):
            assert action.shipped_on() == picked
            sides = windows(action.shipped_on(), 28, now)
            assert sides.cut == datetime(2026, 11, 20, 16, tzinfo=UTC)
            before = improvements.scope_counts(store, action, sides.before, sides.cut)
            after = improvements.scope_counts(store, action, sides.cut, sides.after)
            assert (before, after) == ((0, 1), (1, 1))

    def test_product_texts_and_topic_mix(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, "review", 1, text="什么时候发货？", product="平板", topics=["物流配送"]),
                event(2, "review", 2, text="很好", product="平板", topics=["商品质量"]),
                event(3, "review", 3, text="怎么退货", product="手机"),
            ]
        )
        refresh_rollups(store, ResponseSla())
        until = DAY + timedelta(days=1)
        assert products.texts(store, "平板", DAY, until, questions=True) == ["什么时候发货？"]
        assert len(products.texts(store, None, DAY, until)) == 3
        mix = products.topic_mix(store, "平板", DAY, until, 86_400_000)
        assert dict(zip(mix["topic"], mix["messages"], strict=True)) == {
            "物流配送": 1,
            "商品质量": 1,
        }


class TestHealthAndActions:
    def test_pipeline_stats_latest_per_group_and_pruned(self, store: Store) -> None:
        for minutes, lag in ((0, 50), (10, 30), (20, 5)):
            record_pipeline_stats(
                store,
                service="worker",
                consumer_group="g",
                topic="feedback.raw",
                lag=lag,
                records_per_s=10.0,
                now=DAY + timedelta(minutes=minutes),
            )
        record_pipeline_stats(
            store,
            service="alerts",
            consumer_group="a",
            topic="feedback.signals",
            lag=2,
            records_per_s=0.5,
            now=DAY,
        )
        latest = {(s.service, s.lag) for s in latest_pipeline_stats(store)}
        assert latest == {("worker", 5), ("alerts", 2)}
        assert len(pipeline_stats_since(store, DAY + timedelta(minutes=5))) == 2
        record_pipeline_stats(
            store,
            service="worker",
            consumer_group="g",
            topic="feedback.raw",
            lag=1,
            records_per_s=1.0,
            now=DAY + timedelta(days=8),
        )
        assert len(pipeline_stats_since(store, DAY - timedelta(days=1))) == 1  # a week is kept
        with pytest.raises(ValueError, match="negative"):
            record_pipeline_stats(
                store, service="w", consumer_group="g", topic="t", lag=-1, records_per_s=0
            )

    def test_health_queries(self, store: Store) -> None:
        frame = health.throughput(store, DAY)
        assert frame.empty
        latest, history = health.lag(store, DAY)
        assert latest.empty and history.empty
        assert health.connectors(store).empty and health.deadletter_reasons(store, DAY).empty

    def test_throughput_counts_quiet_minutes_as_zero(self, store: Store) -> None:
        clock = ManualClock(DAY + timedelta(seconds=30))
        timed = Store(store.engine, clock=clock)
        timed.add_scored([event(1, "chat", 0), event(2, "chat", 0)])
        clock.advance(timedelta(minutes=3))
        timed.add_scored([event(3, "chat", 0)])
        clock.advance(timedelta(minutes=2))  # now 00:05:30, nothing stored since 00:03
        frame = health.throughput(timed, DAY)
        assert list(frame["events"]) == [2, 0, 0, 1, 0, 0]
        assert frame["time"].iloc[0] == DAY and frame["time"].iloc[-1] == DAY + timedelta(minutes=5)
        assert frame["per_s"].iloc[0] == pytest.approx(2 / 60)

    def test_improvements_and_audit_log(self, store: Store) -> None:
        with pytest.raises(ValueError, match="owner"):
            record_improvement(store, title="x", shipped_at=DAY, owner=" ", created_by="wang")
        first = record_improvement(store, title="a", shipped_at=DAY, owner="o", created_by="wang")
        second = record_improvement(
            store,
            title="b",
            product="平板",
            shipped_at=DAY + timedelta(days=1),
            owner="o",
            created_by="mei",
        )
        assert [a.id for a in list_improvements(store)] == [second.id, first.id]
        assert second.scope == {"product": "平板"}
        record_action(store, "lin", "incident.acknowledge", "INC-1", "checking", now=DAY)
        record_action(store, "mei", "sign_in", now=DAY)
        assert [(a.user, a.action) for a in recent_actions(store)] == [
            ("mei", "sign_in"),
            ("lin", "incident.acknowledge"),
        ]
        assert [a.target for a in recent_actions(store, user="lin")] == ["INC-1"]

    def test_sources_merge_heartbeats_and_recent_events(self, store: Store) -> None:
        store.add_scored([event(1, "review", 1)])
        frame = overview.sources(store, datetime.now(UTC))
        assert list(frame["source"]) == ["s"] and list(frame["events_24h"]) == [1]
