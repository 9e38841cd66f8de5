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
from api.context import (
    CALLER,
    MAX_BODY,
    STATE,
    ApiState,
    Refusal,
    answer,
    blocking,
    error_response,
    reader_locale,
    refuse,
    state,
)
from api.params import BadPeriod
from radar.i18n import Locale, catalogue, placeholders
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


def _problems(exc: ValidationError, locale: Locale) -> list[dict[str, str]]:
    """Each problem pydantic found: the field, pydantic's error type (stable) and what is wrong
    in the reader's language (pydantic's English where the catalogue has no text for it)."""
    found = []
    for error in exc.errors(include_url=False):
        kind = str(error["type"])
        key = f"api.problem.{kind}"
        context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
        known = catalogue().has(key, locale.lang)
        if known and placeholders(catalogue().raw(key, locale.lang)) <= set(context):
            problem = locale.t(key, **context)
        else:
            problem = str(error["msg"])
        field = ".".join(str(p) for p in error["loc"]) or "body"
        found.append({"field": field, "type": kind, "problem": problem})
    return found


#: What aiohttp answers by itself (no such route, a method the route does not take, a body
#: over the limit) as Radar's codes and texts.
_OWN = {
    404: ("not_found", "no_route"),
    405: ("method_not_allowed", "method"),
    413: ("too_large", "too_large"),
}


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
    """Radar's errors as 4xx JSON (``error``: a stable code; ``message``: in the reader's
    language); anything unexpected as a 500 that names nothing inside."""
    try:
        return await handler(request)
    except Refusal as exc:
        raise error_response(
            reader_locale(request), exc.status, exc.code, exc.reason, exc.params, **exc.extra
        ) from None
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        code, reason = _OWN.get(exc.status, ("http_error", "http"))
        params = {"status": exc.status, "path": request.path, "method": request.method}
        params["limit"] = MAX_BODY
        extra = {}
        if isinstance(exc, web.HTTPMethodNotAllowed):
            extra["allowed"] = ",".join(sorted(exc.allowed_methods))
        raise error_response(
            reader_locale(request), exc.status, code, reason, params, **extra
        ) from None
    except ValidationError as exc:
        locale = reader_locale(request)
        problems = _problems(exc, locale)
        named = locale.t("text.list").join(
            locale.t("api.error.problem", field=p["field"], problem=p["problem"]) for p in problems
        )
        raise error_response(
            locale, 422, "invalid", "invalid", {"problems": named}, fields=problems
        ) from None
    except BadCursor:
        raise error_response(reader_locale(request), 400, "bad_cursor", "bad_cursor", {}) from None
    except alerts.IncidentNotFound:
        incident = request.match_info.get("id", "")
        raise error_response(
            reader_locale(request), 404, "not_found", "no_incident", {"id": incident}
        ) from None
    except alerts.InvalidTransition:
        found = await blocking(alerts.find_incident, state(request).store, request.match_info["id"])
        locale = reader_locale(request)
        status = locale.label("status", found.status) if found else "—"
        params = {"id": request.match_info["id"], "status": status}
        raise error_response(locale, 409, "conflict", "conflict", params) from None
    except BadPeriod:
        locale = reader_locale(request)
        problem = locale.t("api.problem.period")
        fields = [{"field": "since", "type": "period", "problem": problem}]
        params = {"problems": locale.t("api.error.problem", field="since", problem=problem)}
        raise error_response(locale, 422, "invalid", "invalid", params, fields=fields) from None
    except ValueError as exc:
        raise error_response(
            reader_locale(request), 422, "invalid", "value", {"detail": str(exc)}
        ) from None
    except Exception:
        log.exception("API request %s %s failed", request.method, request.path)
        raise error_response(reader_locale(request), 500, "internal", "internal", {}) from None


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Limit each client address, then find the caller by its token (401 without one)."""
    api = state(request)
    if not api.limits.allow(request.remote or "unknown", time.monotonic()):
        refuse(429, "rate_limited")
    if request.path in PUBLIC:
        return await handler(request)
    caller = api.tokens.identify(request.headers)
    if caller is None:
        refuse(401, "unauthorized")
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
