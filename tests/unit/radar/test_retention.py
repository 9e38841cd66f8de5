"""Retention and erasure (PIPL) on SQLite and PostgreSQL: texts go, counts stay; one customer
erased from events, samples, signals, alerts, incidents, notifications, dead letters, audited."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from alerts.incidents import open_incident
from radar.clock import ManualClock
from radar.events import DeadLetter, Sample, ScoredEvent, Signal, make_event_id
from radar.masking import pseudonymise
from radar.store import Store, make_engine
from radar.store.alerting import alert_groups, alerts, notifications
from radar.store.audit import recent_actions
from radar.store.erasure import forget
from radar.store.erasure_threads import ERASED
from radar.store.incidents import incident_events, incidents
from radar.store.listing import MessageFilter, key_figures
from radar.store.retention import prune
from radar.store.samples import refresh_samples, text_samples
from radar.store.signals import record_signals, signals
from radar.store.tables import deadletters, event_topics, events

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEY = b"k" * 32
ZHANG = pseudonymise("张三", KEY)
LI = pseudonymise("李四", KEY)


def message(n: int, days_ago: float, author: str | None = ZHANG, **fields: Any) -> ScoredEvent:
    values: dict[str, Any] = {
        "id": make_event_id("chat", "desk", str(n)),
        "channel": "chat",
        "source": "desk",
        "external_id": f"order-{n}",
        "text": f"第 {n} 条：快递还没到，电话 138****0000",
        "title": "催单",
        "url": f"https://shop.example/m/{n}",
        "author": author,
        "attributes": {"order": f"A{n}"},
        "created_at": NOW - timedelta(days=days_ago),
        "ingested_at": NOW,
        "sentiment": 0.2,
        "sentiment_label": "neg",
        "is_complaint": True,
        "topics": ["物流配送"],
        "csat": 2,
        "scored_at": NOW,
    }
    values.update(fields)
    return ScoredEvent(**values)


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(make_engine(store_url), ManualClock(NOW))
    s.create_schema()
    return s


def sample_of(e: ScoredEvent) -> Sample:
    return Sample(id=e.id, text=e.text, channel=e.channel, created_at=e.created_at)


def seed(store: Store) -> dict[str, ScoredEvent]:
    """Zhang's old and new messages, Li's, their evidence on a signal, an alert, an incident and
    a notification, and dead letters naming them."""
    seeded = {
        "zhang_old": message(1, 40),
        "zhang_new": message(2, 1),
        "li_old": message(3, 40, author=LI, external_id="p_0123456789abcdef"),
        "li_new": message(4, 2, author=LI),
    }
    # a copy of Zhang's complaint flagged on another channel
    seeded["zhang_copy"] = message(
        5, 0.9, channel="email", duplicate_of=seeded["zhang_new"].id
    ).model_copy(update={"id": make_event_id("email", "desk", "5")})
    store.add_scored(list(seeded.values()))
    samples = [sample_of(e) for e in seeded.values() if e.duplicate_of is None]
    signal = Signal(
        id="sig-1",
        type="spike",
        key={"topic": "物流配送"},
        window_start=NOW - timedelta(days=41),
        window_end=NOW - timedelta(hours=1),
        observed=5,
        expected=1,
        score=0.99,
        statistic="negative_binomial_upper_tail",
        severity=2,
        samples=samples,
        detected_at=NOW,
    )
    record_signals(store, [signal])
    views = [
        {"text": s.text, "channel": s.channel, "created_at": s.created_at.isoformat()}
        for s in samples
    ]
    alert = {"type": "spike", "key": {"topic": "物流配送"}, "samples": views}
    incident = open_incident(
        store,
        group_key="g1",
        rule="r",
        type="spike",
        title="投诉激增",
        severity=2,
        key={"topic": "物流配送"},
        data={"alerts": [alert]},
        now=NOW - timedelta(days=40),
    )
    with store.engine.begin() as conn:
        conn.execute(
            alerts.insert(),
            [
                {
                    "fingerprint": "fp1",
                    "group_key": "g1",
                    "rule": "r",
                    "signal_id": "sig-1",
                    "labels": {},
                    "severity": 2,
                    "status": "firing",
                    "starts_at": NOW - timedelta(days=40),
                    "updated_at": NOW,
                    "closed": False,
                    "signal": signal.model_dump(mode="json"),
                }
            ],
        )
        conn.execute(
            notifications.insert(),
            [
                {
                    "id": "n1",
                    "group_key": "g1",
                    "incident_id": incident.id,
                    "receiver": "oncall",
                    "kind": "firing",
                    "firing": [],
                    "status": "sent",
                    "attempts": 1,
                    "created_at": NOW - timedelta(days=40),
                    "next_attempt_at": NOW,
                    "payload": {"title": "投诉激增", "alerts": [alert]},
                }
            ],
        )
    store.add_deadletters(
        [
            DeadLetter(
                id="dl-zhang",
                reason="bad_json",
                message="x",
                original=f'{{"author": "{ZHANG}", "text": "..."}}',
                created_at=NOW - timedelta(days=1),
            ),
            DeadLetter(
                id="dl-old",
                reason="bad_json",
                message="x",
                original="{}",
                created_at=NOW - timedelta(days=40),
            ),
            DeadLetter(
                id="dl-other",
                reason="bad_json",
                message="x",
                original='{"external_id": "order-10"}',  # order-1 inside a longer id: not Zhang's
                created_at=NOW - timedelta(days=1),
            ),
        ]
    )
    refresh_samples(store, now=NOW)
    seeded["incident"] = incident  # type: ignore[assignment]
    return seeded


def all_samples(store: Store) -> dict[str, list[str]]:
    """Every sample text kept on signals, alerts, incidents and notifications."""
    with store.engine.connect() as conn:
        signal_rows = conn.execute(select(signals.c.samples)).scalars().all()
        alert_rows = conn.execute(select(alerts.c.signal)).scalars().all()
        payloads = conn.execute(select(notifications.c.payload)).scalars().all()
        datas = conn.execute(select(incidents.c.data)).scalars().all()
    return {
        "signals": [s["text"] for row in signal_rows for s in row],
        "alerts": [s["text"] for row in alert_rows for s in row["samples"]],
        "incidents": [s["text"] for d in datas for a in d["alerts"] for s in a["samples"]],
        "notifications": [s["text"] for p in payloads for a in p["alerts"] for s in a["samples"]],
    }


def week() -> MessageFilter:
    return MessageFilter(since=NOW - timedelta(days=60), until=NOW)


class TestRetention:
    def test_texts_go_counts_stay(self, store: Store) -> None:
        seeded = seed(store)
        before = key_figures(store, week())[0].as_dict()
        done = prune(store, 30, now=NOW)
        assert done.events_redacted == 2 and done.deadletters == 1
        with store.engine.connect() as conn:
            old = conn.execute(select(events).where(events.c.id == seeded["zhang_old"].id)).one()
            new = conn.execute(select(events).where(events.c.id == seeded["zhang_new"].id)).one()
            kept_samples = set(conn.execute(select(text_samples.c.event_id)).scalars())
            letters = set(conn.execute(select(deadletters.c.id)).scalars())
        assert old.text == "" and old.title is None and old.url is None
        assert old.author is None and old.attributes is None
        assert old.is_complaint and old.topics == ["物流配送"] and old.csat == 2  # still counts
        assert new.text == seeded["zhang_new"].text and new.author == ZHANG
        assert seeded["zhang_old"].id not in kept_samples
        assert letters == {"dl-zhang", "dl-other"}
        assert key_figures(store, week())[0].as_dict() == before  # every figure the same
        kept = all_samples(store)
        for place, texts in kept.items():
            assert seeded["zhang_old"].text not in texts, place
            assert seeded["li_old"].text not in texts, place
            assert seeded["zhang_new"].text in texts, place
        assert done.signal_samples == done.alert_samples == 2
        assert done.incident_samples == done.notification_samples == 2
        # a second pass finds nothing left to do
        again = prune(store, 30, now=NOW)
        assert again.events_redacted == again.deadletters == again.signal_samples == 0

    def test_no_retention_below_a_day(self, store: Store) -> None:
        with pytest.raises(ValueError, match="1 or more"):
            prune(store, 0, now=NOW)


class TestErasure:
    def test_one_customer_everywhere(self, store: Store, tmp_path: Path) -> None:
        seeded = seed(store)
        index = tmp_path / "ingest" / "recent.sqlite"
        index.parent.mkdir()
        with sqlite3.connect(index) as conn:
            conn.execute("CREATE TABLE recent (id TEXT, author TEXT, text TEXT)")
            conn.execute("INSERT INTO recent VALUES ('x', ?, '快递')", (ZHANG,))
            conn.execute("INSERT INTO recent VALUES ('y', ?, '快递')", (LI,))
        done = forget(store, authors=["张三"], key=KEY, by="dpo", data_dir=tmp_path, now=NOW)
        zhang = [seeded["zhang_old"], seeded["zhang_new"], seeded["zhang_copy"]]
        assert done.authors == [ZHANG]
        assert done.events == 3  # the copy flagged against Zhang's message too
        with store.engine.connect() as conn:
            left = set(conn.execute(select(events.c.id)).scalars())
            topics_left = set(conn.execute(select(event_topics.c.event_id)).scalars())
            samples_left = set(conn.execute(select(text_samples.c.event_id)).scalars())
            letters = set(conn.execute(select(deadletters.c.id)).scalars())
        assert left == {seeded["li_old"].id, seeded["li_new"].id}
        assert not {e.id for e in zhang} & (topics_left | samples_left)
        assert letters == {"dl-old", "dl-other"}
        for place, texts in all_samples(store).items():
            assert not {e.text for e in zhang} & set(texts), place
            assert seeded["li_new"].text in texts, place
        with sqlite3.connect(index) as conn:
            assert [r[0] for r in conn.execute("SELECT author FROM recent")] == [LI]
        (action,) = recent_actions(store)
        assert (action.user, action.action, action.target) == ("dpo", "store.forget", ZHANG)
        assert action.data["events"] == 3 and "张三" not in json.dumps(action.data)

    def test_by_external_id_as_given_or_pseudonymised(self, store: Store) -> None:
        seeded = seed(store)
        done = forget(store, external_ids=["order-4"], key=KEY, by="dpo", now=NOW)
        assert done.events == 1
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(events)).scalar() == 4
        # Li's old message kept its id as a p_ pseudonym: found by the pseudonym
        again = forget(store, external_ids=["p_0123456789abcdef"], key=KEY, by="dpo", now=NOW)
        assert again.events == 1
        assert seeded["li_old"].text not in all_samples(store)["signals"]

    def test_nobody_named_is_refused(self, store: Store) -> None:
        with pytest.raises(ValueError, match="--author or --external-id"):
            forget(store, authors=[" "], key=KEY, by="dpo")


def unanswered(store: Store, thread: str, group: str, n: int) -> str:
    """An unanswered signal on ``thread``, its alert, alert group, incident and notification
    (as the alert service writes them); returns the incident id."""
    key = {"channel": "chat", "thread": thread}
    signal = Signal(
        id=f"sig-u{n}",
        type="unanswered",
        key=key,
        window_start=NOW - timedelta(hours=8),
        window_end=NOW - timedelta(hours=2),
        observed=6,
        expected=6,
        score=1.0,
        statistic="hours_without_staff_reply",
        severity=1,
        details={"source": "desk", "sla_hours": 6},
        detected_at=NOW,
    )
    record_signals(store, [signal])
    labels = {"type": "unanswered", **key}
    title = f"未回复 · 会话 {thread}"
    incident = open_incident(
        store,
        group_key=group,
        rule="unanswered",
        type="unanswered",
        title=title,
        severity=1,
        key=key,
        data={"alerts": [{"type": "unanswered", "key": key, "labels": labels}]},
        now=NOW,
    )
    with store.engine.begin() as conn:
        conn.execute(
            alert_groups.insert(),
            [
                {
                    "group_key": group,
                    "rule": "unanswered",
                    "labels": labels,
                    "created_at": NOW,
                    "next_flush_at": NOW,
                    "incident_id": incident.id,
                }
            ],
        )
        conn.execute(
            alerts.insert(),
            [
                {
                    "fingerprint": f"fp-u{n}",
                    "group_key": group,
                    "rule": "unanswered",
                    "signal_id": signal.id,
                    "labels": labels,
                    "severity": 1,
                    "status": "firing",
                    "starts_at": NOW,
                    "updated_at": NOW,
                    "closed": False,
                    "signal": signal.model_dump(mode="json"),
                }
            ],
        )
        conn.execute(
            notifications.insert(),
            [
                {
                    "id": f"n-u{n}",
                    "group_key": group,
                    "incident_id": incident.id,
                    "receiver": "oncall",
                    "kind": "firing",
                    "firing": [labels],
                    "status": "sent",
                    "attempts": 1,
                    "created_at": NOW,
                    "next_attempt_at": NOW,
                    "payload": {"title": title, "labels": labels},
                }
            ],
        )
    return incident.id


def thread_places(store: Store) -> str:
    """Every place an unanswered signal's thread id travels to, as one text."""
    with store.engine.connect() as conn:
        found = [
            *conn.execute(select(signals.c.key, signals.c.key_text)),
            *conn.execute(select(alerts.c.labels, alerts.c.signal)),
            *conn.execute(select(alert_groups.c.labels)),
            *conn.execute(select(incidents.c.key, incidents.c.title, incidents.c.data)),
            *conn.execute(select(incident_events.c.message, incident_events.c.data)),
            *conn.execute(select(notifications.c.firing, notifications.c.payload)),
        ]
    return json.dumps([list(row) for row in found], ensure_ascii=False, default=str)


class TestForgetThreads:
    def test_the_thread_of_an_unanswered_signal_is_erased_everywhere(self, store: Store) -> None:
        zhang = message(7, 0.5, thread_id="T-zhang-88")
        li = message(8, 0.5, author=LI, thread_id="T-zhang-889")  # holds Zhang's id inside
        other = message(9, 0.5, author=LI, external_id="order-9")  # waits on its external id
        store.add_scored([zhang, li, other])
        mine = unanswered(store, "T-zhang-88", "g-zhang", 1)
        unanswered(store, "T-zhang-889", "g-li", 2)
        unanswered(store, "order-9", "g-other", 3)
        before = thread_places(store)
        assert len(re.findall(r"T-zhang-88(?!9)", before)) >= 6
        done = forget(store, authors=["张三"], key=KEY, by="dpo", now=NOW)
        after = thread_places(store)
        assert done.events == 1
        assert done.thread_keys >= 6  # signal, alert, group, incident, timeline, notification
        assert not re.search(r"T-zhang-88(?!9)", after)
        assert "T-zhang-889" in after and "order-9" in after  # Li's threads are Li's
        with store.engine.connect() as conn:
            key, text = conn.execute(
                select(signals.c.key, signals.c.key_text).where(signals.c.id == "sig-u1")
            ).one()
            title = conn.execute(select(incidents.c.title).where(incidents.c.id == mine)).scalar()
        assert key == {"channel": "chat", "thread": ERASED}
        assert text == f"channel=chat,thread={ERASED}"
        assert title == f"未回复 · 会话 {ERASED}"
        (action,) = recent_actions(store)
        assert action.action == "store.forget" and action.data["thread_keys"] == done.thread_keys
        assert "T-zhang-88" not in json.dumps(action.data)

    def test_a_thread_named_by_its_external_id(self, store: Store) -> None:
        store.add_scored([message(9, 0.5, author=LI, external_id="order-9")])
        unanswered(store, "order-9", "g-other", 3)
        done = forget(store, external_ids=["order-9"], key=KEY, by="dpo", now=NOW)
        assert done.events == 1 and done.thread_keys >= 6
        assert "order-9" not in thread_places(store)

    def test_no_unanswered_signal_changes_nothing(self, store: Store) -> None:
        seed(store)
        unanswered(store, "T-li-1", "g-li", 2)
        before = thread_places(store)
        done = forget(store, authors=["张三"], key=KEY, by="dpo", now=NOW)
        assert done.thread_keys == 0
        assert "T-li-1" in thread_places(store)
        assert before.count("T-li-1") == thread_places(store).count("T-li-1")


class TestCommands:
    def test_prune_and_forget(
        self, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from radar.settings import CoreSettings
        from radar.store.cli import store as command

        opened = Store.from_settings(CoreSettings())
        real = datetime.now(UTC)  # the commands run on the wall clock
        old = message(
            1, 0, author=pseudonymise("王五", b"x" * 32), created_at=real - timedelta(days=40)
        )
        opened.add_scored([old, message(2, 0, created_at=real - timedelta(days=1))])
        runner = CliRunner()
        refused = runner.invoke(command, ["prune"])
        assert refused.exit_code != 0 and "RADAR_RETENTION_DAYS" in str(refused.exception)
        monkeypatch.setenv("RADAR_RETENTION_DAYS", "30")
        shown = runner.invoke(command, ["prune"])
        assert shown.exit_code == 0, shown.output
        assert "保留期 30 天" in shown.output and "消息 1 条" in shown.output
        asked = runner.invoke(command, ["forget", "--author", ZHANG, "--by", "dpo"], input="n\n")
        assert asked.exit_code != 0  # not confirmed: nothing erased
        result = runner.invoke(command, ["forget", "--author", ZHANG, "--yes", "--json"])
        assert json.loads(result.output)["events"] == 1
        assert runner.invoke(command, ["forget"]).exit_code == 2
