"""Daily roll-ups, the text sample and late indexes in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from radar.clock import from_millis
from radar.events import ScoredEvent, make_event_id
from radar.store import Store, make_engine
from radar.store.daily import (
    DAY_MS,
    daily_scope,
    daily_topics,
    daily_values,
    refresh_daily,
    rollup_zone,
    split_range,
    topics_seen,
    values_seen,
)
from radar.store.rollups import rollup_state
from radar.store.samples import refresh_samples, sample_texts, text_samples

DAY = datetime(2026, 11, 20, tzinfo=UTC)
D0 = int(DAY.timestamp() * 1000)
HOUR = 3_600_000


def event(n: int, hours: float, **fields: object) -> ScoredEvent:
    values: dict[str, object] = {
        "id": make_event_id("chat", "s", str(n)),
        "channel": "chat",
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


@pytest.fixture
def store(store_url: str) -> Store:
    opened = Store(make_engine(store_url))
    opened.create_schema()
    return opened


class TestSplitRange:
    def test_whole_days_and_edges(self) -> None:
        whole, partial = split_range(D0 + 5, D0 + 3 * DAY_MS + 7, timezone="UTC")
        assert whole == [(D0 + DAY_MS, D0 + 3 * DAY_MS)]
        assert partial == [(D0 + 5, D0 + DAY_MS), (D0 + 3 * DAY_MS, D0 + 3 * DAY_MS + 7)]

    def test_a_cut_splits_its_day(self) -> None:
        whole, partial = split_range(D0, D0 + 3 * DAY_MS, [D0 + DAY_MS + 10], timezone="UTC")
        assert whole == [(D0, D0 + DAY_MS), (D0 + 2 * DAY_MS, D0 + 3 * DAY_MS)]
        assert partial == [(D0 + DAY_MS, D0 + DAY_MS + 10), (D0 + DAY_MS + 10, D0 + 2 * DAY_MS)]

    def test_less_than_a_day_is_one_piece(self) -> None:
        assert split_range(D0 + 1, D0 + 9, [D0 + 20]) == ([], [(D0 + 1, D0 + 9)])

    def test_days_are_beijing_days_by_default(self) -> None:
        beijing_midnight = D0 + 16 * HOUR  # 2026-11-21 00:00 in Beijing
        whole, partial = split_range(D0, D0 + 2 * DAY_MS)
        assert whole == [(beijing_midnight, beijing_midnight + DAY_MS)]
        assert partial == [(D0, beijing_midnight), (beijing_midnight + DAY_MS, D0 + 2 * DAY_MS)]

    def test_a_summer_time_day_is_23_hours_long(self) -> None:
        spring = int(datetime(2026, 3, 28, 23, tzinfo=UTC).timestamp() * 1000)  # 29 Mar, Berlin
        whole, _ = split_range(spring, spring + 30 * HOUR, timezone="Europe/Berlin")
        ((start, end),) = whole
        assert end - start == 23 * HOUR


class TestDailyRollups:
    def test_counts_per_day_topic_product_region(self, store: Store) -> None:
        store.add_scored(
            [
                event(1, 1, topics=["物流配送"], is_complaint=True, product="平板"),
                event(2, 2, topics=["物流配送", "客服态度"], product="平板", region="浙江"),
                event(3, 26, topics=["物流配送"], is_complaint=True),
                event(4, 3, is_staff_reply=True, topics=["物流配送"]),  # staff: not counted
                event(5, 4, segment="VIP"),
            ]
        )
        assert refresh_daily(store, timezone="UTC") == 2
        with store.engine.connect() as conn:
            topics = {tuple(r) for r in conn.execute(select(daily_topics))}
            scope = {tuple(r) for r in conn.execute(select(daily_scope))}
        assert topics == {
            (D0, "物流配送", "平板", "", 1, 1),
            (D0, "物流配送", "平板", "浙江", 1, 0),
            (D0, "客服态度", "平板", "浙江", 1, 0),
            (D0 + DAY_MS, "物流配送", "", "", 1, 1),
        }
        assert scope == {
            (D0, "平板", "", 1, 1),
            (D0, "平板", "浙江", 1, 0),
            (D0, "", "", 1, 0),
            (D0 + DAY_MS, "", "", 1, 1),
        }
        assert values_seen(store, DAY, "UTC")["segment"] == ["VIP"]
        assert values_seen(store, DAY, "UTC")["product"] == ["平板"]
        assert topics_seen(store, DAY, "UTC") == ["物流配送", "客服态度"]
        assert topics_seen(store, DAY + timedelta(days=1), "UTC") == ["物流配送"]

    def test_refresh_is_incremental_and_idempotent(self, store: Store) -> None:
        store.add_scored([event(1, 1, topics=["物流配送"])])
        refresh_daily(store, timezone="UTC")
        assert refresh_daily(store, timezone="UTC") == 1  # the margin re-reads the newest day
        store.add_scored([event(2, 2, topics=["物流配送"]), event(3, 50, topics=["物流配送"])])
        refresh_daily(store, timezone="UTC")
        refresh_daily(store, timezone="UTC")
        with store.engine.connect() as conn:
            rows = dict(conn.execute(select(daily_topics.c.day, daily_topics.c.messages)).all())
        assert rows == {D0: 2, D0 + 2 * DAY_MS: 1}

    def test_empty_store(self, store: Store) -> None:
        assert refresh_daily(store) == 0
        assert topics_seen(store, DAY) == []

    def test_late_evening_and_past_midnight_in_beijing_are_two_days(self, store: Store) -> None:
        # 23:30 and 00:30 Beijing time: one UTC day (15:30 and 16:30 UTC), two local days
        store.add_scored(
            [
                event(1, 15.5, topics=["物流配送"], is_complaint=True),
                event(2, 16.5, topics=["物流配送"], is_complaint=True),
            ]
        )
        assert refresh_daily(store) == 2
        with store.engine.connect() as conn:
            days = dict(conn.execute(select(daily_topics.c.day, daily_topics.c.complaints)).all())
        beijing_midnight = D0 + 16 * HOUR  # 2026-11-21 00:00 in Beijing
        assert days == {beijing_midnight - DAY_MS: 1, beijing_midnight: 1}
        assert topics_seen(store, from_millis(beijing_midnight)) == ["物流配送"]

    def test_a_likely_duplicate_counts_once(self, store: Store) -> None:
        first = event(1, 1, topics=["物流配送"], is_complaint=True, product="平板")
        copies = [
            event(
                n, 2, channel=ch, topics=["物流配送"], is_complaint=True, product="平板"
            ).model_copy(update={"duplicate_of": first.id})
            for n, ch in ((2, "email"), (3, "forum"))
        ]
        store.add_scored([first, *copies, event(4, 3, product="平板")])
        refresh_daily(store, timezone="UTC")
        with store.engine.connect() as conn:
            topics = {tuple(r) for r in conn.execute(select(daily_topics))}
            scope = {tuple(r) for r in conn.execute(select(daily_scope))}
            channels = set(
                conn.scalars(
                    select(daily_values.c.value).where(daily_values.c.dimension == "channel")
                )
            )
        assert topics == {(D0, "物流配送", "平板", "", 1, 1)}
        assert scope == {(D0, "平板", "", 2, 1)}
        assert channels == {"chat"}  # the copies' channels hold nothing but copies

    def test_roll_ups_of_an_older_counting_rule_are_rebuilt(self, store: Store) -> None:
        first = event(1, 1, topics=["物流配送"], is_complaint=True)
        copy = event(2, 2, topics=["物流配送"], is_complaint=True)
        store.add_scored([first, copy.model_copy(update={"duplicate_of": first.id})])
        refresh_daily(store, timezone="UTC")
        with store.engine.begin() as conn:  # as an older version left them: every copy counted
            conn.execute(daily_scope.update().values(messages=2, complaints=2))
            conn.execute(
                rollup_state.update().where(rollup_state.c.name == "daily").values(params="UTC")
            )
        assert rollup_zone(store) is None  # not to be read: readers count from the events
        refresh_daily(store, timezone="UTC")
        assert rollup_zone(store) == "UTC"
        with store.engine.connect() as conn:
            assert conn.execute(select(daily_scope.c.messages, daily_scope.c.complaints)).all() == [
                (1, 1)
            ]

    def test_another_time_zone_rebuilds_every_day(self, store: Store) -> None:
        store.add_scored([event(1, 15.5, topics=["物流配送"]), event(2, 16.5, topics=["物流配送"])])
        refresh_daily(store)
        assert refresh_daily(store, timezone="UTC") == 1  # both are on 2026-11-20 in UTC
        with store.engine.connect() as conn:
            days = dict(conn.execute(select(daily_topics.c.day, daily_topics.c.messages)).all())
        assert days == {D0: 2}  # nothing of the Beijing days is left


class TestTextSample:
    def test_one_in_sixteen_and_every_question(self, store: Store) -> None:
        batch = [event(n, n / 100, text=f"普通评论 {n}") for n in range(400)]
        batch += [event(1000 + n, 1, text=f"什么时候发货？{n}") for n in range(5)]
        batch.append(event(2000, 1, text="客服回复", is_staff_reply=True))
        store.add_scored(batch)
        assert refresh_samples(store) > 0
        assert refresh_samples(store) >= 0  # again: nothing doubles
        until = DAY + timedelta(days=1)
        sampled = sample_texts(store, DAY, until)
        expected = sorted((e.id, e.text) for e in batch if e.id < "1" and not e.is_staff_reply)
        assert sampled == [t for _id, t in expected]
        assert 5 < len(sampled) < 60  # about 400 / 16
        questions = sample_texts(store, DAY, until, questions=True)
        assert sorted(questions) == sorted(f"什么时候发货？{n}" for n in range(5))
        assert sample_texts(store, DAY, until, questions=True, limit=2) == [
            t for _id, t in sorted((e.id, e.text) for e in batch if "发货" in e.text)[:2]
        ]

    def test_a_likely_duplicate_is_not_sampled_and_an_older_sample_is_retaken(
        self, store: Store
    ) -> None:
        first = event(1, 1, text="什么时候发货？等了一周了")
        copies = [
            event(n, 2, text="什么时候发货？等了一周了！").model_copy(
                update={"duplicate_of": first.id}
            )
            for n in range(2, 40)  # some of these ids fall in the 1-in-16 sample too
        ]
        store.add_scored([first, *copies])
        refresh_samples(store)
        until = DAY + timedelta(days=1)
        assert sample_texts(store, DAY, until, questions=True) == [first.text]
        assert set(sample_texts(store, DAY, until)) <= {first.text}
        with store.engine.begin() as conn:  # a sample an older version took: copies included
            conn.execute(
                text_samples.insert().values(
                    event_id=copies[0].id,
                    created_at=copies[0].created_at,
                    product=None,
                    sampled=True,
                    question=True,
                    text=copies[0].text,
                )
            )
            conn.execute(
                rollup_state.update().where(rollup_state.c.name == "text_samples").values(params="")
            )
        refresh_samples(store)
        assert sample_texts(store, DAY, until, questions=True) == [first.text]


def test_create_schema_adds_an_index_a_store_made_before_migrations_lacks(store: Store) -> None:
    from sqlalchemy import inspect

    with store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_event_topics_created"))
        conn.execute(text("DROP TABLE alembic_version"))  # as the last release left it
    store.create_schema()
    indexes = {index["name"] for index in inspect(store.engine).get_indexes("event_topics")}
    assert "ix_event_topics_created" in indexes
