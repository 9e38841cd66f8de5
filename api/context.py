"""HTTP API: what every handler shares (the store, settings, the caller) and how it answers.

Handlers are thin: parameters in, one call into ``radar.store`` or ``alerts``
(run in a worker thread: the store is blocking SQLAlchemy), JSON out. Answers
keep codes (``chat``, ``spike``) and UTC times in ISO 8601, as Radar's other
JSON does; titles and exports are in the reader's language.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn, TypeVar

from aiohttp import web

from api.auth import Caller, TokenCheck
from api.settings import ApiSettings
from ingest.intake import ClientLimits
from radar.clock import Clock, SystemClock
from radar.errors import RadarError
from radar.i18n import LANGS, Lang, Locale
from radar.settings import CoreSettings
from radar.store import Store

T = TypeVar("T")
#: Largest request body taken (incident actions are a few hundred bytes).
MAX_BODY = 65_536


@dataclass
class ApiState:
    """Everything a request may need, made once when the server starts."""

    store: Store
    settings: ApiSettings
    core: CoreSettings
    tokens: TokenCheck
    limits: ClientLimits
    clock: Clock

    @classmethod
    def build(
        cls, store: Store, settings: ApiSettings, core: CoreSettings, clock: Clock | None = None
    ) -> ApiState:
        return cls(
            store=store,
            settings=settings,
            core=core,
            tokens=TokenCheck(settings.clients),
            limits=ClientLimits(settings.client_rate, settings.client_burst),
            clock=clock or SystemClock(),
        )

    def locale(self, lang: str | None = None) -> Locale:
        """The reader's language (``?lang=``, else the API's, else ``RADAR_LANGUAGE``)."""
        return Locale.of(lang or self.settings.language or self.core.language, self.core.timezone)


STATE = web.AppKey("radar_api_state", ApiState)
CALLER = web.RequestKey("radar_api_caller", Caller)


def state(request: web.Request) -> ApiState:
    return request.app[STATE]


def caller(request: web.Request) -> Caller:
    found = request.get(CALLER)
    assert isinstance(found, Caller), "the auth middleware runs first"
    return found


def _status_error(status: int) -> type[web.HTTPException]:
    found: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        405: web.HTTPMethodNotAllowed,
        409: web.HTTPConflict,
        413: web.HTTPRequestEntityTooLarge,
        415: web.HTTPUnsupportedMediaType,
        422: web.HTTPUnprocessableEntity,
        429: web.HTTPTooManyRequests,
    }
    return found.get(status, web.HTTPInternalServerError)


class Refusal(RadarError):
    """A request Radar answers with an error: the status, a stable ``code`` for programs,
    and the catalogue text ``api.error.<reason>`` (with ``params``) for people."""

    def __init__(
        self, status: int, code: str, reason: str, params: dict[str, Any], extra: dict[str, Any]
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.reason = status, code, reason
        self.params, self.extra = params, extra


def refuse(
    status: int,
    code: str,
    reason: str | None = None,
    /,
    *,
    extra: dict[str, Any] | None = None,
    **params: Any,
) -> NoReturn:
    """Refuse the request: ``status`` with the error ``code`` and the text
    ``api.error.<reason>`` (``reason`` defaults to the code), in the reader's language."""
    raise Refusal(status, code, reason or code, params, extra or {})


def _accepted(header: str) -> Lang | None:
    """The supported language an ``Accept-Language`` header prefers most (None: neither)."""
    best: tuple[float, Lang] | None = None
    for part in header.split(","):
        tag, _, rest = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        weight = 1.0
        for option in rest.split(";"):
            name, _, value = option.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, "en" if primary == "en" else "zh")
    return None if best is None else best[1]


def reader_locale(request: web.Request) -> Locale:
    """The reader's language: ``?lang=``, else the request's ``Accept-Language``, else
    ``RADAR_API_LANGUAGE``, else ``RADAR_LANGUAGE``; times in ``RADAR_TIMEZONE``."""
    asked = request.query.get("lang")
    if asked not in LANGS:
        asked = _accepted(request.headers.get("Accept-Language", ""))
    return state(request).locale(asked)


def error_response(
    locale: Locale, status: int, code: str, reason: str, params: dict[str, Any], **extra: Any
) -> web.HTTPException:
    """The HTTP error ``status`` with Radar's JSON error body: ``error`` (the code),
    ``message`` (in ``locale``'s language) and any ``extra`` fields."""
    message = locale.t(f"api.error.{reason}", **params)
    body = json.dumps({"error": code, "message": message, **extra}, ensure_ascii=False)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if status == 429:
        headers = {"Retry-After": "1"}
    headers["Content-Language"] = locale.lang
    kind = _status_error(status)
    if kind is web.HTTPMethodNotAllowed:
        allowed = str(extra.get("allowed", "")).split(",")
        return web.HTTPMethodNotAllowed(
            str(params.get("method", "")),
            [m for m in allowed if m],
            text=body,
            content_type="application/json",
            headers=headers,
        )
    return kind(text=body, content_type="application/json", headers=headers)


def require(request: web.Request, action: str) -> Caller:
    """The caller, when their role allows ``action``; else 403."""
    who = caller(request)
    if not who.may(action):
        refuse(403, "forbidden", role=who.role, action=action)
    return who


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    msg = f"cannot write {type(value).__name__} as JSON"
    raise TypeError(msg)


def answer(data: Any, status: int = 200) -> web.Response:
    """``data`` as JSON (UTF-8, Chinese as written, times in ISO 8601)."""
    text = json.dumps(data, ensure_ascii=False, default=_default)
    return web.Response(text=text, status=status, content_type="application/json")


async def blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a store call in a worker thread, off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (an empty body is ``{}``)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        refuse(400, "bad_json")
    if not isinstance(data, dict):
        refuse(400, "bad_json", "not_object")
    return data


__all__ = [
    "MAX_BODY",
    "STATE",
    "ApiState",
    "Refusal",
    "answer",
    "blocking",
    "body",
    "caller",
    "error_response",
    "reader_locale",
    "refuse",
    "require",
    "state",
]
