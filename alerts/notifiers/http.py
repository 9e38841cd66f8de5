"""Notifiers: one HTTP POST with httpx, its failures classified as retryable or not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from alerts.notifiers.base import NotifyFailed

#: Answers worth another attempt later; any other 4xx means the request itself is wrong.
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def safe_url(url: str) -> str:
    """``url`` without its query string and credentials (tokens live there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """POST ``payload`` as JSON (or the given ``content``); raise NotifyFailed unless 2xx."""
    where = safe_url(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            if content is not None:
                response = client.post(url, content=content, headers=headers)
            else:
                response = client.post(url, json=payload, headers=headers)
    except httpx.TimeoutException as exc:
        msg = f"{where}: no answer within {timeout:.0f}s ({type(exc).__name__})"
        raise NotifyFailed(msg, retryable=True) from exc
    except httpx.TransportError as exc:
        msg = f"{where}: cannot connect ({exc})"
        raise NotifyFailed(msg, retryable=True) from exc
    if response.is_success:
        return response
    body = response.text[:300].strip()
    retryable = response.status_code in RETRYABLE_STATUS
    hint = "" if retryable else "; fix the receiver's settings in the rules file"
    msg = f"{where}: HTTP {response.status_code} {body!r}{hint}"
    raise NotifyFailed(msg, retryable=retryable)


def json_body(response: httpx.Response, where: str) -> dict[str, Any]:
    """The JSON object a chat platform answered with (they report errors inside a 200)."""
    try:
        data = response.json()
    except ValueError as exc:
        msg = f"{where}: answer is not JSON: {response.text[:200]!r}"
        raise NotifyFailed(msg, retryable=True) from exc
    if not isinstance(data, dict):
        msg = f"{where}: expected a JSON object, got {response.text[:200]!r}"
        raise NotifyFailed(msg, retryable=False)
    return data
