"""HTTP API: the aiohttp application (routes, the OpenAPI document, auth, limits, errors).

The same framework as the push endpoints (:mod:`ingest.intake`). Every request
but ``GET /healthz`` and ``GET /openapi.json`` carries a client's token; one
client address may send ``client_rate`` requests a second (429 beyond). Bad
input is a 4xx whose JSON names what was wrong, never a 500.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from pydantic import ValidationError

import alerts
from api import incidents, messages, metrics
from api.context import CALLER, MAX_BODY, STATE, ApiState, answer, refuse, state
from radar.store.listing import BadCursor

log = logging.getLogger(__name__)

OPENAPI = Path(__file__).with_name("openapi.yaml")
#: Paths anyone may read: the health check and the API's own description.
PUBLIC = frozenset({"/healthz", "/openapi.json"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@cache
def openapi() -> dict[str, Any]:
    """The OpenAPI 3 document (``api/openapi.yaml``)."""
    document = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in error["loc"]) or "body", "problem": error["msg"]}
        for error in exc.errors(include_url=False)
    ]


@web.middleware
async def measured(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every answer by route template (not the path: ids would make endless series)."""
    started = time.monotonic()
    info = request.match_info.route.resource.get_info() if request.match_info.route.resource else {}
    route = str(info.get("formatter") or info.get("path") or "unmatched")
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics.answered(route, request.method, status, time.monotonic() - started)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Radar's errors as 4xx JSON; anything unexpected as a 500 that names nothing inside."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except ValidationError as exc:
        problems = _problems(exc)
        named = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        refuse(422, "invalid", named, fields=problems)
    except BadCursor as exc:
        refuse(400, "bad_cursor", str(exc))
    except alerts.IncidentNotFound:
        refuse(404, "not_found", f"no incident {request.match_info.get('id', '')!r}")
    except alerts.InvalidTransition as exc:
        refuse(409, "conflict", str(exc))
    except ValueError as exc:
        refuse(422, "invalid", str(exc))
    except Exception:
        log.exception("API request %s %s failed", request.method, request.path)
        refuse(500, "internal", "the request failed inside Radar; the service log has details")


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Limit each client address, then find the caller by its token (401 without one)."""
    api = state(request)
    if not api.limits.allow(request.remote or "unknown", time.monotonic()):
        refuse(429, "rate_limited", "too many requests from this client; slow down")
    if request.path in PUBLIC:
        return await handler(request)
    caller = api.tokens.identify(request.headers)
    if caller is None:
        refuse(
            401,
            "unauthorized",
            "missing or unknown token; send it as 'Authorization: Bearer TOKEN'",
        )
    request[CALLER] = caller
    return await handler(request)


async def health(_request: web.Request) -> web.Response:
    """``GET /healthz``."""
    return answer({"status": "ok"})


async def describe(_request: web.Request) -> web.Response:
    """``GET /openapi.json``."""
    return web.Response(
        text=json.dumps(openapi(), ensure_ascii=False), content_type="application/json"
    )


def build_app(api: ApiState) -> web.Application:
    """The application serving ``api``'s store to its clients."""
    app = web.Application(middlewares=[measured, errors, authenticate], client_max_size=MAX_BODY)
    app[STATE] = api
    app.add_routes(
        [
            web.get("/healthz", health, allow_head=False),
            web.get("/openapi.json", describe, allow_head=False),
            *messages.routes(),
            *incidents.routes(),
        ]
    )
    return app


def routes(app: web.Application) -> set[tuple[str, str]]:
    """Every (method, path template) the application serves."""
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("formatter") or info.get("path")
        if path and route.method != "HEAD":
            found.add((route.method, str(path)))
    return found


__all__ = ["OPENAPI", "build_app", "openapi", "routes"]
