"""Dashboard test fixtures: a seeded store (events, incidents, health) and AppTest runs per page."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.auth import hash_password
from radar.events import DeadLetter, Heartbeat, Sample, ScoredEvent, Signal, make_event_id
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.health import record_pipeline_stats
from radar.store.improvements import record_improvement
from radar.store.refresh import refresh_rollups
from radar.store.rollups import ResponseSla
from radar.store.signals import record_signals
from streams.settings import WorkerSettings

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "dashboard" / "app.py"


def this_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


#: The hour the seeded data is laid out from. The pages compare it with the wall clock, so
#: :func:`start_clock` sets it again just before each seeding: a test session that crosses
#: the hour after this module was imported would otherwise see every age an hour older.
NOW = this_hour()


def start_clock() -> datetime:
    """Lay the next seeding out from the current hour (see ``NOW``); returns it."""
    global NOW  # the seed helpers below read it
    NOW = this_hour()
    return NOW


HOSTILE = '<script>window.hacked=1</script><img src=x onerror="window.hacked=2"> **加粗** [链接](http://evil.example)'
PASSWORDS = {"lin": "oncall-pass-1", "mei": "manager-pass-1", "wang": "product-pass-1"}
ROLES = {"lin": "oncall", "mei": "manager", "wang": "product"}


@dataclass
class Seeded:
    """What the seeded store holds, for assertions."""

    store: Store
    events: list[ScoredEvent] = field(default_factory=list)
    incident_id: str = ""
    resolved_id: str = ""
    now: datetime = field(default_factory=this_hour)  # the hour the data was laid out from


def scored(n: int, channel: str, hours_ago: float, **fields: Any) -> ScoredEvent:
    values: dict[str, Any] = {
        "id": make_event_id(channel, f"{channel}-src", str(n)),
        "channel": channel,
        "source": f"{channel}-src",
        "external_id": str(n),
        "text": "物流很快，质量不错",
        "created_at": NOW - timedelta(hours=hours_ago),
        "ingested_at": NOW,
        "sentiment": 0.8,
        "sentiment_label": "pos",
        "scored_at": NOW,
        "product": "平板",
        "region": "广东",
        "segment": "VIP",
        "stage": "aftersale",
    }
    values.update(fields)
    return ScoredEvent(**values)


def seed_events(store: Store) -> list[ScoredEvent]:
    """Two weeks of feedback on three channels, a rising logistics topic and one hostile text.

    Quality complaints on reviews fall from 3 in 6 to 1 in 6 five days ago, when
    the seeded improvement action shipped.
    """
    batch: list[ScoredEvent] = []
    n = 0
    for day in range(14):
        for k in range(6):
            n += 1
            bad = k == 0 if day < 5 else k % 2 == 0
            hours = day * 24 + k * 3 + 2
            batch.append(
                scored(
                    n,
                    "review",
                    hours,
                    text="质量太差，用了两天就坏了" if bad else "很好用",
                    sentiment=0.1 if bad else 0.9,
                    sentiment_label="neg" if bad else "pos",
                    is_complaint=bad,
                    topics=["商品质量"] if bad else [],
                    rating=1 if bad else 5,
                    product="平板" if k % 2 else "手机",
                    severity=1 if bad else 0,
                )
            )
    for k in range(12):  # logistics complaints concentrated in the last day: a rising topic
        n += 1
        batch.append(
            scored(
                n,
                "chat",
                1 + k,
                text="快递一周还没到，什么时候发货？",
                sentiment=0.2,
                sentiment_label="neg",
                is_complaint=True,
                topics=["物流配送"],
                stage="sale",
                thread_id=f"conv{k}",
                region="浙江",
                severity=1,
            )
        )
        if k % 2 == 0:  # staff answer half of them within the hour
            n += 1
            batch.append(
                scored(
                    n,
                    "chat",
                    0.5 + k,
                    text="您好，已为您催促快递。",
                    is_staff_reply=True,
                    thread_id=f"conv{k}",
                    reply_to=str(n - 1),
                    region="浙江",
                )
            )
    for k in range(5):
        n += 1
        batch.append(
            scored(
                n,
                "survey",
                30 + k,
                csat=5 if k < 3 else 2,
                nps=10 if k < 3 else 3,
                text="还行吧",
                sentiment=0.6,
                sentiment_label="neu",
            )
        )
    n += 1
    batch.append(
        scored(
            n,
            "chat",
            2.5,
            text=HOSTILE,
            sentiment=0.1,
            sentiment_label="neg",
            is_complaint=True,
            topics=["物流配送"],
            stage="sale",
            region="浙江",
        )
    )
    store.add_scored(batch)
    return batch


def seed_incidents(store: Store) -> tuple[str, str]:
    from alerts.incidents import open_incident, resolve
    from alerts.playbooks import checklist_data

    signal = Signal(
        id="sig-logistics",
        type="spike",
        key={"topic": "物流配送", "region": "浙江"},
        window_start=NOW - timedelta(hours=1),
        window_end=NOW,
        observed=12,
        expected=2.5,
        score=0.97,
        statistic="nb_tail",
        severity=2,
        top_topics=["物流配送"],
        samples=[Sample(id="s1", text=HOSTILE, channel="chat", created_at=NOW)],
        detected_at=NOW,
    )
    history = [
        signal.model_copy(
            update={
                "window_start": NOW - timedelta(hours=h + 1),
                "window_end": NOW - timedelta(hours=h),
                "observed": 12 - 3 * h,
                "expected": 2.5,
            }
        )
        for h in range(3, -1, -1)
    ]
    record_signals(store, history)
    alert = {
        "fingerprint": "fp1",
        "rule": "logistics-spike",
        "type": "spike",
        "status": "firing",
        "severity": 2,
        "labels": {"topic": "物流配送", "region": "浙江"},
        "key": {"topic": "物流配送", "region": "浙江"},
        "observed": 12.0,
        "expected": 2.5,
        "window_start": (NOW - timedelta(hours=1)).isoformat(),
        "window_end": NOW.isoformat(),
        "score": 0.97,
        "statistic": "nb_tail",
        "top_topics": ["物流配送"],
        "crisis_terms": [],
        "samples": [{"text": HOSTILE, "channel": "chat", "created_at": NOW.isoformat()}],
        "starts_at": NOW.isoformat(),
        "signal_id": "sig-logistics",
    }
    opened = open_incident(
        store,
        group_key="g1",
        rule="logistics-spike",
        type="spike",
        title="物流投诉激增: 浙江",
        severity=2,
        key={"topic": "物流配送", "region": "浙江"},
        data={"alerts": [alert], "checklist": checklist_data("spike")},
        now=NOW - timedelta(hours=2),
    )
    old = open_incident(
        store,
        group_key="g0",
        rule="feedback-silence",
        type="silence",
        title="渠道沉默: email",
        severity=1,
        key={"channel": "email"},
        data={"alerts": [], "checklist": checklist_data("silence")},
        now=NOW - timedelta(days=3),
    )
    resolve(store, old.id, "lin", "connector fixed", now=NOW - timedelta(days=2))
    return opened.id, old.id


def seed_health(store: Store) -> None:
    now = datetime.now(UTC)
    store.record_heartbeat(
        Heartbeat(
            source="chat-src",
            channel="chat",
            at=now,
            status="ok",
            last_success_at=now,
            records_total=100,
        )
    )
    store.record_heartbeat(
        Heartbeat(
            source="email-imap",
            channel="email",
            at=NOW - timedelta(hours=3),
            status="down",
            message="IMAP login failed",
        )
    )
    store.add_deadletters(
        [
            DeadLetter(
                id=f"dl{i}",
                reason="bad_json" if i % 2 else "missing_field",
                message="x",
                original=HOSTILE,
                created_at=NOW - timedelta(hours=i),
            )
            for i in range(5)
        ]
    )
    for minutes in (10, 5, 0):
        record_pipeline_stats(
            store,
            service="worker",
            consumer_group="radar-worker",
            topic="feedback.raw",
            lag=40 - minutes,
            records_per_s=12.5,
            now=NOW - timedelta(minutes=minutes),
        )


@pytest.fixture
def users_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    users = {
        name: {"role": ROLES[name], "password_hash": hash_password(pw)}
        for name, pw in PASSWORDS.items()
    }
    monkeypatch.setenv("RADAR_DASHBOARD_USERS", json.dumps(users))
    return PASSWORDS


@pytest.fixture
def seeded(isolated_settings: Path, users_env: dict[str, str]) -> Seeded:
    """A SQLite store in the test's data dir with events, incidents, health and an improvement."""
    now = start_clock()
    store = Store.from_settings(CoreSettings())
    batch = seed_events(store)
    incident_id, resolved_id = seed_incidents(store)
    seed_health(store)
    record_improvement(
        store,
        title="平板质检加严",
        topic="商品质量",
        shipped_at=NOW - timedelta(days=5) + timedelta(hours=1),
        owner="wang",
        created_by="wang",
    )
    return Seeded(store, batch, incident_id, resolved_id, now)


def worker_rolls_up() -> None:
    """What the worker's roll-up stage does on its timer (the dashboard only reads)."""
    worker = WorkerSettings()
    sla = ResponseSla(worker.default_sla_hours, dict(worker.sla_hours))
    store = Store.from_settings(CoreSettings())
    try:
        refresh_rollups(store, sla, timezone=CoreSettings().timezone)
    finally:
        store.engine.dispose()


@pytest.fixture
def app_for() -> Iterator[Callable[..., Any]]:
    """Run the app as ``user`` on ``page`` with URL ``query``; returns the AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User

    def run(
        user: str | None = "mei",
        page: str | None = None,
        query: dict[str, str] | None = None,
        lang: str | None = None,
    ) -> AppTest:
        worker_rolls_up()
        at = AppTest.from_file(str(APP), default_timeout=60)
        if user:
            at.session_state["user"] = User(user, (ROLES[user],), user)  # type: ignore[arg-type]
        if lang:
            at.query_params["lang"] = lang
        at.run()
        if page:
            at.switch_page(f"app_pages/{page}.py")
        for key, value in (query or {}).items():
            at.query_params[key] = value
        if page or query:
            at.run()
        return at

    st.cache_data.clear()
    st.cache_resource.clear()
    main = sys.modules["__main__"]
    yield run
    # AppTest leaves the app script as __main__, which "spawn" process pools of later tests
    # would run again in every child
    sys.modules["__main__"] = main
    st.cache_data.clear()
    st.cache_resource.clear()
