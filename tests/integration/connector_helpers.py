"""Helpers for connector integration tests: run a connector in-process, read topics, HTTP servers."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ingest.base import PullConnector
from ingest.emitter import Emitter, make_dedupe
from ingest.producer import FeedbackProducer
from ingest.runner import RunSummary, Runner
from ingest.service import checkpoints_for
from ingest.settings import ConnectorSettings
from radar.events import DeadLetter, FeedbackEvent
from radar.settings import CoreSettings
from tests.integration.conftest import Pipeline


def run_once(connector: PullConnector, settings: ConnectorSettings) -> RunSummary:
    """One poll of ``connector`` against the test's broker, as the CLI would run it."""
    core = CoreSettings()
    with FeedbackProducer(core, client_id="radar-test") as producer:
        emitter = Emitter(producer, connector.normaliser, dedupe=make_dedupe(core, settings))
        return Runner(connector, emitter, checkpoints_for(core), settings).run(follow=False)


def raw_events(pipeline: Pipeline, expected: int, timeout: float = 30) -> list[FeedbackEvent]:
    """feedback.raw parsed as the contract (raises if a record is not in its shape)."""
    return [
        FeedbackEvent.model_validate(r)
        for r in pipeline.consume("feedback.raw", expected, timeout=timeout)
    ]


def dead_letters(pipeline: Pipeline, expected: int, timeout: float = 30) -> list[DeadLetter]:
    return [
        DeadLetter.model_validate(r)
        for r in pipeline.consume("feedback.deadletter", expected, timeout=timeout)
    ]


def read_topic(
    pipeline: Pipeline, base_topic: str, expected: int, timeout: float = 30
) -> list[dict[str, Any]]:
    """Records of a topic from the start, returning as soon as ``expected`` arrived.

    Unlike ``pipeline.consume`` it also ends on a topic that never goes idle
    (heartbeats).
    """
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        pipeline.topics.name(base_topic),
        bootstrap_servers=pipeline.bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
    )
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(json.loads(m.value) for m in batch)
    finally:
        consumer.close()
    return records


def wait_until(condition: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def http_get(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return str(response.read().decode("utf-8"))


Handler = Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]


@contextmanager
def http_server(handle: Handler) -> Iterator[str]:
    """A real HTTP server on loopback answering GETs with ``handle``; yields its base URL."""

    class RequestHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = handle(self)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def json_body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
