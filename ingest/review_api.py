"""Connectors: poll a shop's paginated review API, configured declaratively (no code per shop).

The API's answers decide where the next page is, so they could send the
connector anywhere: the auth header and the other configured headers go only
to the origin (scheme, host, port) of the configured URL; a next-page link or
a redirect to another origin is not followed, and responses are read up to a
size limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urljoin, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ingest.base import Position, PullConnector, SourceRecord, SourceUnavailable, State, bad_record
from ingest.emitter import make_normaliser
from ingest.normalize import parse_time
from ingest.settings import ConnectorSettings
from radar.errors import ConfigError
from radar.masking import mask_url
from radar.settings import CoreSettings, settings_config

log = logging.getLogger(__name__)


class NextPage(BaseModel):
    """How to get the next page: ``page`` numbers, a ``cursor`` or a ``link`` in the body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["none", "page", "cursor", "link"] = "none"
    path: str | None = Field(None, description="Where the cursor or link is in the response")
    start: int = Field(1, description="First page number (kind: page)")


class ReviewApiSettings(ConnectorSettings):
    """``radar ingest reviews --api``: one shop API (``RADAR_INGEST_REVIEW_API_*``).

    ``url`` is a template with ``{since}`` (the since-cursor, URL-quoted),
    ``{page}`` and ``{cursor}``; ``fields`` maps contract fields to dotted
    paths inside one item (``user.nick``, ``images.0.url``).
    """

    model_config = settings_config("INGEST_REVIEW_API_")
    yaml_section: ClassVar[str | None] = "ingest_review_api"

    url: str = Field("", description="URL template, e.g. https://shop/api/reviews?since={since}")
    auth_header: str = Field("Authorization", description="Header carrying the token")
    auth_token: SecretStr | None = Field(None, description="Value of the auth header")
    headers: dict[str, SecretStr] = Field(
        default_factory=dict, description="Other request headers (sent to the API's origin only)"
    )
    items_path: str = Field("items", description="Dotted path of the item list in a response")
    fields: dict[str, str] = Field(
        default_factory=lambda: {
            "external_id": "id",
            "created_at": "created_at",
            "text": "content",
            "rating": "rating",
            "product": "product_id",
        },
        description="Contract field → dotted path inside an item",
    )
    next_page: NextPage = Field(default_factory=NextPage, description="Paging rule")
    since_field: str = Field(
        "created_at", description="Contract field whose newest value becomes the since-cursor"
    )
    since_initial: str = Field("", description="Since-cursor before the first poll")
    max_pages: int = Field(1000, ge=1, description="Most pages read in one poll")
    timeout_s: float = Field(30.0, gt=0, description="HTTP timeout per request")
    max_response_bytes: int = Field(
        50_000_000, ge=10_000, description="Largest response read; a larger one fails the poll"
    )


def get_path(value: Any, path: str) -> Any:
    """``value`` at a dotted ``path`` (``a.b.0.c``); None where the path does not lead."""
    for part in path.split(".") if path else []:
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else None
        else:
            return None
    return value


def item_fields(item: Mapping[str, Any], paths: Mapping[str, str]) -> dict[str, Any]:
    """Contract fields read at their paths, plus the item's other plain top-level values."""
    fields: dict[str, Any] = {}
    used = {path.split(".", 1)[0] for path in paths.values()}
    for key, value in item.items():
        if key not in used and (value is None or isinstance(value, str | int | float | bool)):
            fields[str(key)] = value
    for name, path in paths.items():
        value = get_path(item, path)
        if value is not None:
            fields[name] = value
    return fields


class ReviewApi(PullConnector):
    """Reads every review newer than the since-cursor, page by page, once per poll."""

    name = "review-api"

    def __init__(self, settings: ReviewApiSettings, core: CoreSettings) -> None:
        if not settings.url:
            msg = "the review API has no url; set RADAR_INGEST_REVIEW_API_URL or url: in --api FILE"
            raise ConfigError(msg)
        self.settings = settings
        self.channel = "review"
        self.source = settings.source or settings.url.split("?")[0][:200]
        self.normaliser = make_normaliser("review", self.source, core, settings)
        # no redirects followed by httpx: it would carry custom auth headers to any host
        self.session = httpx.Client(follow_redirects=False)
        self.origin = _origin(settings.url)
        self.credentials = {k: v.get_secret_value() for k, v in settings.headers.items()}
        if settings.auth_token is not None:
            self.credentials[settings.auth_header] = settings.auth_token.get_secret_value()

    def read(self, state: State) -> Iterator[SourceRecord | Position]:
        since = str(state.get("since") or self.settings.since_initial)
        newest_raw, newest_at = since, self._time(since)
        rule = self.settings.next_page
        page, cursor = rule.start, ""
        url: str | None = self._url(since, page, cursor)
        for _ in range(self.settings.max_pages):
            if url is None:
                break
            body = self._get(url)
            items = get_path(body, self.settings.items_path) or []
            if not isinstance(items, list):
                msg = f"{url}: '{self.settings.items_path}' is not a list; check items_path"
                raise SourceUnavailable(msg)
            for index, item in enumerate(items):
                locator = f"{url}#{index}"
                if not isinstance(item, Mapping):
                    yield bad_record(
                        locator,
                        repr(item)[:10_000],
                        f"expected an object, got {type(item).__name__}",
                        "wrong_type",
                    )
                    continue
                fields = item_fields(item, self.settings.fields)
                value = fields.get(self.settings.since_field)
                when = self._time(value)
                if when is not None and (newest_at is None or when > newest_at):
                    newest_raw, newest_at = str(value), when
                yield SourceRecord(locator, fields, dict(item))
            url = self._next(url, body, items, page, rule)
            page += 1
        yield Position({"since": newest_raw})

    def _next(self, url: str, body: Any, items: list[Any], page: int, rule: NextPage) -> str | None:
        if rule.kind == "page":
            return self._url(None, page + 1, "") if items else None
        if rule.kind in {"cursor", "link"}:
            found = get_path(body, rule.path or "")
            if not found:
                return None
            if rule.kind == "link":
                link = urljoin(url, str(found))
                if _origin(link) != self.origin:
                    log.warning(
                        "%s: the next page %r is on another origin; not followed",
                        self.source,
                        mask_url(link),
                    )
                    return None
                return link
            return self._url(None, page + 1, str(found))
        return None

    def _url(self, since: str | None, page: int, cursor: str) -> str:
        if since is not None:
            self._since = since
        return self.settings.url.format(
            since=quote(self._since, safe=""), page=page, cursor=quote(cursor, safe="")
        )

    def _get(self, url: str) -> Any:
        shown = mask_url(url)
        for _ in range(5):  # redirects, each checked against the origin
            status, location, body = self._request(url)
            if location is None:
                break
            url = urljoin(url, location)
            if _origin(url) != self.origin:
                msg = f"{shown}: redirected to another origin ({mask_url(url)}); not followed"
                raise SourceUnavailable(msg)
        else:
            raise SourceUnavailable(f"{shown}: too many redirects")
        if status in {401, 403}:
            raise SourceUnavailable(f"{shown}: HTTP {status}; check auth_header and auth_token")
        if status >= 400:
            raise SourceUnavailable(f"{shown}: HTTP {status}")
        try:
            return json.loads(body)
        except ValueError as exc:  # also an integer of over 4,300 digits
            raise SourceUnavailable(f"{shown}: response is not JSON ({exc})") from exc

    def _request(self, url: str) -> tuple[int, str | None, bytes]:
        """(status, redirect location or None, body read up to the limit)."""
        headers = self.credentials if _origin(url) == self.origin else {}
        limit = self.settings.max_response_bytes
        try:
            with self.session.stream(
                "GET", url, headers=headers, timeout=self.settings.timeout_s
            ) as response:
                if response.is_redirect:
                    return response.status_code, response.headers.get("Location"), b""
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        msg = f"{mask_url(url)}: response larger than {limit:,} bytes"
                        raise SourceUnavailable(msg)
                return response.status_code, None, bytes(body)
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{mask_url(url)}: {type(exc).__name__}") from exc

    def _time(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return parse_time(value, self.settings.zone)
        except (ValueError, OverflowError, OSError):
            return None

    def close(self) -> None:
        self.session.close()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default
