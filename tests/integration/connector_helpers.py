"""Connector integration helpers: run a connector in-process, read topics, HTTP servers."""

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
from ingest.runner import Runner, RunSummary
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
    with urllib.request.urlopen(url, timeout=timeout) as response:
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


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST ``body``; returns (status, parsed JSON answer or text)."""
    import urllib.error

    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def start_endpoint(pipeline: Pipeline, name: str, env: dict[str, str]) -> tuple[str, Any]:
    """Start ``radar ingest NAME --serve`` on a free port; returns (base URL, process)."""
    from tests.integration.conftest import free_port

    port = free_port()
    pipeline.env.update(env)
    process = pipeline.start(
        "ingest",
        name,
        "--serve",
        "--port",
        str(port),
        "--heartbeat-interval",
        "1",
        name=f"{name}-endpoint",
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"radar ingest {name} --serve exited with {process.returncode}")
        try:
            return "ok" in http_get(base + "/healthz", timeout=1)
        except OSError:
            return False

    wait_until(up, timeout=30, what=f"the {name} endpoint")
    return base, process


def junk_json() -> Any:
    """Hypothesis: JSON values of every type, nested a little."""
    from hypothesis import strategies as st

    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=30)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


def malformed_bodies(fields: dict[str, Any], text_field: str) -> Any:
    """Hypothesis: request bodies that are mostly wrong: junk values for the payload's fields,
    missing fields, invalid UTF-8, non-objects, cut-off JSON, huge and empty texts."""
    from hypothesis import strategies as st

    junk = junk_json()
    mixed = st.fixed_dictionaries(
        {}, optional={name: st.one_of(junk, good) for name, good in fields.items()}
    )
    valid = st.fixed_dictionaries(fields)
    sized = st.one_of(st.just(""), st.just(" \n "), st.integers(50_001, 60_000).map("差".__mul__))
    texts = st.tuples(valid, sized).map(lambda pair: {**pair[0], text_field: pair[1]})

    def encode(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")

    return st.one_of(
        mixed.map(encode),
        texts.map(encode),
        mixed.map(encode).map(lambda b: b[: max(1, len(b) // 2)]),  # cut off mid-way
        st.binary(max_size=64).map(lambda b: b"\xff\xfe" + b),
        junk.map(encode),
        st.just(b""),
        st.just(b"[" * 5000 + b"]" * 5000),
    )
