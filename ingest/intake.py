"""Connectors: the HTTP endpoint shell for push channels (survey forms, social-mention webhooks).

``POST /submit`` takes one JSON object. It answers ``202`` with the event id
only after Kafka acknowledged the event; ``400`` (unreadable body) or ``422``
(schema) with a message naming the bad field, after the payload went to the
dead letters; ``401`` when the token or signature is wrong, stale or replayed
(nothing stored); ``429`` when one client sends faster than its share;
``503`` when Kafka did not acknowledge or too many requests wait (the sender
should retry). ``GET /healthz`` says the endpoint is up, and answers ``503``
when a submission has been stuck longer than :data:`STUCK_S`. Prometheus
metrics are on the connector's own metrics port, never on this public one.

A signature is ``X-Radar-Signature: sha256=HEX``, the HMAC-SHA256 with the
shared secret of ``TIMESTAMP + "." + body``, where ``X-Radar-Timestamp`` is
the Unix time in seconds: a request older (or newer) than the window is
refused, so a captured request cannot be replayed later. Within the window a
replay gives the same event id as the original (ids are stable), so it is
counted once; a sender's honest retry of the same request passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ingest.base import SourceRecord
from ingest.emitter import Emitter, Outcome
from ingest.files import parse_json_record
from ingest.producer import DeliveryFailed
from radar.errors import ValidationFailed

log = logging.getLogger(__name__)

#: Largest request body accepted (bytes).
MAX_BODY = 1_048_576
SIGNATURE_HEADER = "X-Radar-Signature"
TIMESTAMP_HEADER = "X-Radar-Timestamp"
TOKEN_HEADER = "X-Radar-Token"  # noqa: S105 - a header name, not a secret
#: A submission running longer than this makes /healthz answer 503 (the submit path is stuck).
STUCK_S = 120.0
#: Reasons that mean "the JSON was fine but not a valid submission".
_SCHEMA_REASONS = {"missing_field", "invalid_value", "too_long", "unknown_field", "bad_timestamp"}

FieldsParser = Callable[[Any], Mapping[str, Any]]


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that takes any text (a non-ASCII header is just wrong)."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


@dataclass(frozen=True)
class Auth:
    """Who may post: a shared token, a timestamped HMAC-SHA256 signature, both, or anyone."""

    token: str | None = None
    hmac_secret: str | None = None
    window_s: float = 300.0

    @property
    def anyone(self) -> bool:
        return self.token is None and self.hmac_secret is None

    def check(self, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
        """None when the request may pass, else what is wrong with it."""
        if self.token is not None:
            given = headers.get(TOKEN_HEADER) or headers.get("Authorization", "").removeprefix(
                "Bearer "
            )
            if not _same(given, self.token):
                return f"missing or wrong token; send it as '{TOKEN_HEADER}' or a Bearer token"
        if self.hmac_secret is not None:
            stamp = headers.get(TIMESTAMP_HEADER, "").strip()
            if not stamp.isdigit() or len(stamp) > 12:
                return (
                    f"missing signature or {TIMESTAMP_HEADER}: sign each request at its Unix time "
                    f"(seconds), sent in {TIMESTAMP_HEADER}, with {SIGNATURE_HEADER}: sha256=HEX"
                )
            if abs(now - int(stamp)) > self.window_s:
                return (
                    f"{TIMESTAMP_HEADER} {stamp} is more than {self.window_s:.0f}s from now "
                    f"({now:.0f}); sign each request when it is sent"
                )
            given = headers.get(SIGNATURE_HEADER, "").removeprefix("sha256=")
            if not _same(given, sign(body, self.hmac_secret, int(stamp))):
                return (
                    f"missing or wrong signature; send {SIGNATURE_HEADER}: sha256=HEX, the "
                    f"HMAC-SHA256 with the shared secret of {TIMESTAMP_HEADER} + '.' + the raw body"
                )
        return None


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` (what a sender puts in the signature)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str, now: float | None = None) -> dict[str, str]:
    """The headers a sender adds: timestamp and signature (for clients written in Python)."""
    stamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: "sha256=" + sign(body, secret, stamp)}


class ClientLimits:
    """A token bucket per client address: ``rate`` requests a second, up to ``burst`` at once."""

    def __init__(self, rate: float, burst: int, clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.clients = clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float) -> bool:
        if self.rate <= 0:
            return True
        tokens, at = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        allowed = tokens >= 1
        self._buckets[client] = (tokens - 1 if allowed else tokens, now)
        if len(self._buckets) > self.clients:  # forget the longest quiet: a fresh bucket is full
            self._buckets.popitem(last=False)
        return allowed


def to_record(body: bytes, locator: str, parse: FieldsParser) -> SourceRecord:
    """A request body as a record: fields when it is a valid payload, else the reason."""
    row = parse_json_record(body, locator)
    if row.error is not None or row.fields is None:
        return SourceRecord(locator, None, body, row.error)
    try:
        return SourceRecord(locator, parse(row.fields), row.raw)
    except ValidationFailed as exc:
        return SourceRecord(locator, None, body, exc)


@dataclass(frozen=True)
class Limits:
    """How much one client, and everyone together, may ask of the endpoint."""

    client_rate: float = 20.0
    client_burst: int = 200
    max_waiting: int = 64


class Intake:
    """One push endpoint: limit, authenticate, validate, send, wait for Kafka, answer."""

    def __init__(
        self,
        emitter: Emitter,
        parse: FieldsParser,
        auth: Auth,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.emitter = emitter
        self.parse = parse
        self.auth = auth
        self.limits = limits or Limits()
        self.clock = clock
        self._lock = threading.Lock()  # one flush at a time: each answer covers its own record
        self._count = 0
        self._waiting = 0
        self._busy_since: float | None = None
        self._clients = ClientLimits(self.limits.client_rate, self.limits.client_burst)

    def submit(self, body: bytes) -> Outcome:
        """Send one body and wait for Kafka (blocking; runs off the event loop)."""
        with self._lock:
            self._busy_since = time.monotonic()
            try:
                self._count += 1
                record = to_record(body, f"{self.emitter.source}:request:{self._count}", self.parse)
                outcome = self.emitter.emit(record)
                self.emitter.flush()
                return outcome
            finally:
                self._busy_since = None

    def heartbeat(self) -> None:
        with self._lock:
            self.emitter.heartbeat("ok")

    def _refuse(self, status: int, error: str, message: str) -> web.Response:
        self.emitter.metrics.rejected(error)
        headers = {"Retry-After": "1"} if status in {429, 503} else None
        return web.json_response(
            {"error": error, "message": message}, status=status, headers=headers
        )

    async def handle_submit(self, request: web.Request) -> web.Response:
        now = self.clock()
        if not self._clients.allow(request.remote or "unknown", now):
            return self._refuse(429, "rate_limited", "too many requests from this client")
        if self._waiting >= self.limits.max_waiting:
            return self._refuse(503, "busy", "too many requests waiting; retry in a moment")
        body = await request.read()
        problem = self.auth.check(request.headers, body, now)
        if problem is not None:
            return self._refuse(401, "unauthorized", problem)
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            outcome = await loop.run_in_executor(None, self.submit, body)
        except DeliveryFailed as exc:
            log.warning("%s: %s", self.emitter.source, exc)
            return web.json_response(
                {"error": "unavailable", "message": f"{exc}; retry the request"}, status=503
            )
        finally:
            self._waiting -= 1
        if outcome.event_id is not None:
            return web.json_response(
                {"id": outcome.event_id, "duplicate_of": outcome.duplicate_of}, status=202
            )
        status = 422 if outcome.reason in _SCHEMA_REASONS else 400
        return web.json_response(
            {
                "error": outcome.reason,
                "field": outcome.field,
                "message": outcome.message,
                "deadletter_id": outcome.deadletter_id,
            },
            status=status,
        )

    async def handle_health(self, _request: web.Request) -> web.Response:
        since = self._busy_since
        if since is not None and time.monotonic() - since > STUCK_S:
            stuck = f"a submission has been running for {time.monotonic() - since:.0f}s"
            return web.json_response({"status": "stuck", "message": stuck}, status=503)
        return web.json_response({"status": "ok", "source": self.emitter.source})

    def app(self, heartbeat_interval_s: float) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post("/submit", self.handle_submit)
        app.router.add_get("/healthz", self.handle_health)

        async def beat(app: web.Application) -> Any:
            task = asyncio.create_task(self._beat_forever(heartbeat_interval_s))
            yield
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        app.cleanup_ctx.append(beat)
        return app

    async def _beat_forever(self, interval_s: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                await loop.run_in_executor(None, self.heartbeat)
            except DeliveryFailed as exc:
                log.warning("%s: heartbeat not delivered: %s", self.emitter.source, exc)
            await asyncio.sleep(interval_s)


def serve(intake: Intake, host: str, port: int, heartbeat_interval_s: float) -> None:
    """Serve until SIGTERM or SIGINT (aiohttp handles both and drains open requests)."""
    log.info("%s listening on http://%s:%d/submit", intake.emitter.source, host, port)
    web.run_app(intake.app(heartbeat_interval_s), host=host, port=port, print=None)
