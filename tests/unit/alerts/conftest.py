"""Fixtures for the alert tests: a manual clock, a store, signals, and real loopback servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from alerts.config import RulesConfig
from alerts.delivery import RetryPolicy
from alerts.links import LinkSigner
from alerts.loader import check_text
from alerts.message import Message
from alerts.notifiers import NotifyFailed
from alerts.pipeline import Pipeline
from radar.clock import ManualClock
from radar.events import Sample, Signal
from radar.store import Store, make_engine

#: 10:00 in Shanghai: outside the usual quiet hours.
START = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SECRET = b"unit-test-link-secret-0123456789"


def rules(text: str) -> RulesConfig:
    """A rules config from YAML text, through the same loader as files."""
    config, problems = check_text(text)
    assert config is not None, "\n".join(str(p) for p in problems)
    return config


def make_signal(
    signal_id: str = "sig-1",
    *,
    at: datetime,
    key: dict[str, str] | None = None,
    type: str = "spike",
    status: str = "firing",
    observed: float = 40,
    expected: float = 5,
    score: float = 0.99,
    severity: int = 2,
    crisis_terms: tuple[str, ...] = (),
    samples: tuple[str, ...] = ("快递三天没动，客服也不回复",),
) -> Signal:
    return Signal(
        id=signal_id,
        type=type,  # type: ignore[arg-type]
        key=key if key is not None else {"topic": "物流配送", "region": "华东"},
        status=status,  # type: ignore[arg-type]
        window_start=at - timedelta(minutes=15),
        window_end=at,
        observed=observed,
        expected=expected,
        score=score,
        statistic="poisson_tail",
        severity=severity,
        top_topics=["物流配送", "破损"],
        crisis_terms=list(crisis_terms),
        samples=[
            Sample(id=f"e{n}", text=text, channel="review", created_at=at)
            for n, text in enumerate(samples)
        ],
        detected_at=at,
    )


class RecordingNotifier:
    """The far side of a channel, in memory: records messages, fails when told to."""

    def __init__(self, receiver: str) -> None:
        self.receiver = receiver
        self.sent: list[Message] = []
        self.failures: list[NotifyFailed] = []

    def target(self) -> str:
        return f"memory:{self.receiver}"

    def send(self, message: Message) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return "ok"

    def kinds(self) -> list[str]:
        return [m.kind for m in self.sent]


@dataclass
class Harness:
    """A pipeline over a real SQLite store, driven by a manual clock."""

    pipeline: Pipeline
    clock: ManualClock
    store: Store
    notifiers: dict[str, RecordingNotifier]
    config: RulesConfig

    def feed(self, *signals: Signal) -> None:
        for signal in signals:
            self.pipeline.handle(signal)
        self.step()

    def step(self) -> None:
        self.pipeline.tick()
        self.pipeline.deliver_due()

    def run_for(self, duration: timedelta, step: timedelta = timedelta(seconds=5)) -> None:
        """Advance the clock by ``duration``, ticking and delivering every ``step``."""
        end = self.clock.now() + duration
        while self.clock.now() < end:
            self.clock.advance(min(step, end - self.clock.now()))
            self.step()

    def sent(self, receiver: str) -> list[Message]:
        return self.notifiers[receiver].sent

    def restart(self) -> Harness:
        """A new pipeline over the same store, as after a process restart."""
        fresh = Store(make_engine(str(self.store.engine.url)), self.clock)
        return build_harness(self.config, self.clock, fresh)


def build_harness(config: RulesConfig, clock: ManualClock, store: Store) -> Harness:
    notifiers = {r.name: RecordingNotifier(r.name) for r in config.receivers}
    policy = RetryPolicy(
        initial=timedelta(seconds=10), maximum=timedelta(minutes=1), max_attempts=4
    )
    pipeline = Pipeline(
        config, store, notifiers, clock, LinkSigner(SECRET, "http://dash.example"), policy=policy
    )
    return Harness(pipeline, clock, store, notifiers, config)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Store:
    made = Store(make_engine(f"sqlite:///{tmp_path / 'alerts.db'}"), clock)
    made.create_schema()
    return made


@pytest.fixture
def harness_factory(clock: ManualClock, store: Store) -> Callable[[str], Harness]:
    return lambda text: build_harness(rules(text), clock, store)


# -- a real HTTP server on loopback that records what it is sent --------------------------------
@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RecordingServer:
    """An HTTP server on 127.0.0.1 that records POSTs and answers as scripted."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    #: (status, body) answers to give in order; then ``default``
    script: list[tuple[int, bytes]] = field(default_factory=list)
    default: tuple[int, bytes] = (200, b'{"errcode": 0, "code": 0}')
    check: Callable[[Received], tuple[int, bytes] | None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def start_server(server: RecordingServer) -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            got = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            with lock:
                server.requests.append(got)
                answer = server.check(got) if server.check else None
                if answer is None:
                    answer = server.script.pop(0) if server.script else server.default
            status, body = answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", server.port), Handler)
    server.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


@pytest.fixture
def http_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    httpd = start_server(server)
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
