"""Connectors: the HTTP endpoint shell for push channels (survey forms, social-mention webhooks).

``POST /submit`` takes one JSON object. It answers ``202`` with the event id
only after Kafka acknowledged the event; ``400`` (unreadable body) or ``422``
(schema) with a message naming the bad field, after the payload went to the
dead letters; ``401`` when the token or signature is wrong (nothing stored);
``503`` when Kafka did not acknowledge (the sender should retry). ``GET
/metrics`` serves Prometheus metrics and ``GET /healthz`` says the endpoint is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ingest.base import SourceRecord
from ingest.emitter import Emitter, Outcome
from ingest.files import parse_json_record
from ingest.producer import DeliveryFailed
from radar.errors import ValidationFailed

log = logging.getLogger(__name__)

#: Largest request body accepted (bytes).
MAX_BODY = 1_048_576
SIGNATURE_HEADER = "X-Radar-Signature"
TOKEN_HEADER = "X-Radar-Token"  # noqa: S105 - a header name, not a secret
#: Reasons that mean "the JSON was fine but not a valid submission".
_SCHEMA_REASONS = {"missing_field", "invalid_value", "too_long", "unknown_field", "bad_timestamp"}

FieldsParser = Callable[[Any], Mapping[str, Any]]


@dataclass(frozen=True)
class Auth:
    """Who may post: a shared token, an HMAC-SHA256 signature of the body, both, or anyone."""

    token: str | None = None
    hmac_secret: str | None = None

    def check(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """None when the request may pass, else what is wrong with it."""
        if self.token is not None:
            given = headers.get(TOKEN_HEADER) or headers.get("Authorization", "").removeprefix(
                "Bearer "
            )
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return f"missing or wrong token; send it as '{TOKEN_HEADER}' or a Bearer token"
        if self.hmac_secret is not None:
            given = headers.get(SIGNATURE_HEADER, "").removeprefix("sha256=")
            if not hmac.compare_digest(given, sign(body, self.hmac_secret)):
                return (
                    f"missing or wrong signature; send {SIGNATURE_HEADER}: sha256=HEX, the "
                    "HMAC-SHA256 of the raw body with the shared secret"
                )
        return None


def sign(body: bytes, secret: str) -> str:
    """The hex HMAC-SHA256 of ``body`` (what a sender puts in X-Radar-Signature)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def to_record(body: bytes, locator: str, parse: FieldsParser) -> SourceRecord:
    """A request body as a record: fields when it is a valid payload, else the reason."""
    row = parse_json_record(body, locator)
    if row.error is not None or row.fields is None:
        return SourceRecord(locator, None, body, row.error)
    try:
        return SourceRecord(locator, parse(row.fields), row.raw)
    except ValidationFailed as exc:
        return SourceRecord(locator, None, body, exc)


class Intake:
    """One push endpoint: authenticate, validate, send, wait for Kafka, answer."""

    def __init__(self, emitter: Emitter, parse: FieldsParser, auth: Auth) -> None:
        self.emitter = emitter
        self.parse = parse
        self.auth = auth
        self._lock = threading.Lock()  # one flush at a time: each answer covers its own record
        self._count = 0

    def submit(self, body: bytes) -> Outcome:
        """Send one body and wait for Kafka (blocking; runs off the event loop)."""
        with self._lock:
            self._count += 1
            record = to_record(body, f"{self.emitter.source}:request:{self._count}", self.parse)
            outcome = self.emitter.emit(record)
            self.emitter.flush()
            return outcome

    def heartbeat(self) -> None:
        with self._lock:
            self.emitter.heartbeat("ok")

    async def handle_submit(self, request: web.Request) -> web.Response:
        body = await request.read()
        problem = self.auth.check(request.headers, body)
        if problem is not None:
            self.emitter.metrics.rejected("unauthorized")
            return web.json_response({"error": "unauthorized", "message": problem}, status=401)
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(None, self.submit, body)
        except DeliveryFailed as exc:
            log.warning("%s: %s", self.emitter.source, exc)
            return web.json_response(
                {"error": "unavailable", "message": f"{exc}; retry the request"}, status=503
            )
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

    async def handle_metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def handle_health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "source": self.emitter.source})

    def app(self, heartbeat_interval_s: float) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post("/submit", self.handle_submit)
        app.router.add_get("/metrics", self.handle_metrics)
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
