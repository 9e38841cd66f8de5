"""Connectors: forum and community posts from RSS/Atom feeds (threads, replies, staff answers).

Each poll asks every feed with ``If-None-Match``/``If-Modified-Since`` (an
unchanged feed costs a 304), parses it with feedparser, and sends the entries
not seen before. Replies are linked to their thread: by the Atom threading
extension (``thr:in-reply-to``) when the feed has it, and for feeds given as
``thread_feeds`` (one thread per feed) to the thread's opening post. Posts by
staff are marked ``is_staff_reply``, so time to first response can be
measured. Staff are known by their profile address (the feed's author URI),
which the forum writes and no member can choose: a display name anyone can
copy would let a customer close their own thread's wait. Author names are
trusted only where the operator says they are unique log-in names.
"""

from __future__ import annotations

import calendar
import io
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import feedparser
import httpx
from pydantic import Field

from ingest.base import Position, PullConnector, SourceRecord, SourceUnavailable, State, bad_record
from ingest.emitter import make_normaliser
from ingest.htmltext import html_to_text, looks_like_html
from ingest.settings import ConnectorSettings
from radar.errors import ConfigError
from radar.events import stable_id
from radar.masking import mask_url
from radar.settings import CoreSettings, settings_config

#: Entry ids remembered per feed (feeds show their latest few hundred entries at most).
SEEN_LIMIT = 5000
#: Redirects followed for one feed.
MAX_REDIRECTS = 5


class ForumSettings(ConnectorSettings):
    """``radar ingest forum`` (``RADAR_INGEST_FORUM_*``)."""

    model_config = settings_config("INGEST_FORUM_")
    yaml_section: ClassVar[str | None] = "ingest_forum"

    feeds: list[str] = Field(default_factory=list, description="Feeds whose entries start threads")
    thread_feeds: list[str] = Field(
        default_factory=list, description="Feeds that are one thread each (opening post + replies)"
    )
    staff_profiles: list[str] = Field(
        default_factory=list,
        description="Profile addresses of the shop's staff, as the feed's author URI gives them "
        "(e.g. https://bbs.example/u/1024)",
    )
    staff_authors: list[str] = Field(
        default_factory=list,
        description="Author names or emails of the shop's staff; only with "
        "staff_authors_are_accounts",
    )
    staff_authors_are_accounts: bool = Field(
        False,
        description="The feeds' author names are log-in names no other member can take "
        "(e.g. Discourse usernames), so staff_authors can be trusted",
    )
    timeout_s: float = Field(30.0, gt=0, description="HTTP timeout per feed")
    max_feed_bytes: int = Field(
        10_000_000, ge=10_000, description="Largest feed document read; a larger one is refused"
    )
    poll_interval_s: float = Field(300.0, gt=0, description="Wait between two polls (--follow)")


def entry_time(entry: dict[str, Any]) -> str | None:
    """The entry's publication (else update) time as ISO text in UTC."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)  # plain lookup: feedparser's key aliases warn
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()
    return None


def entry_text(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    value = contents[0].get("value", "") if contents else entry.get("summary", "")
    value = str(value or "")
    return html_to_text(value) if looks_like_html(value) else value.strip()


def entry_id(entry: Mapping[str, Any]) -> str:
    found = entry.get("id") or entry.get("link")
    if found:
        return str(found)
    return "entry-" + stable_id(
        str(entry.get("title", "")), str(entry.get("published", "")), entry_text(entry)
    )


def profile_key(url: str) -> str:
    """A profile address as compared: scheme and host in lower case, no trailing slash.

    The path is kept as written: a forum may tell ``/u/Mei`` from ``/u/mei``.
    """
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


class ForumFeeds(PullConnector):
    """Polls RSS/Atom feeds; remembers ETag, Last-Modified and the entry ids already sent."""

    name = "forum"

    def __init__(self, settings: ForumSettings, core: CoreSettings) -> None:
        self.settings = settings
        self.channel = "forum"
        self.source = settings.source or "forum"
        self.normaliser = make_normaliser("forum", self.source, core, settings)
        if settings.staff_authors and not settings.staff_authors_are_accounts:
            msg = (
                "staff_authors match author names, which on most forums any member can copy, "
                "so a customer could answer their own complaint: list the staff's profile "
                "addresses (the feed's author URI) in RADAR_INGEST_FORUM_STAFF_PROFILES, or set "
                "RADAR_INGEST_FORUM_STAFF_AUTHORS_ARE_ACCOUNTS=true if the author names are "
                "log-in names no one else can take"
            )
            raise ConfigError(msg)
        self.staff = {name.strip().casefold() for name in settings.staff_authors}
        self.staff_profiles = {profile_key(url) for url in settings.staff_profiles if url.strip()}
        self.session = httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS)

    def feeds(self) -> list[tuple[str, bool]]:
        return [(u, False) for u in self.settings.feeds] + [
            (u, True) for u in self.settings.thread_feeds
        ]

    def read(self, state: State) -> Iterator[SourceRecord | Position]:
        failures = []
        for url, one_thread in self.feeds():
            try:
                status, headers, body = self._fetch(url, state)
            except SourceUnavailable as exc:
                failures.append(str(exc))  # the other feeds are still read
                continue
            if status == 304:
                continue
            validators = {
                f"etag:{url}": headers.get("ETag"),
                f"modified:{url}": headers.get("Last-Modified"),
            }
            if body is None:
                limit = self.settings.max_feed_bytes
                message = f"feed larger than {limit:,} bytes (RADAR_INGEST_FORUM_MAX_FEED_BYTES)"
                yield bad_record(mask_url(url), b"", message, "too_large", position=validators)
                continue
            yield from self.feed_records(url, body, validators, one_thread, state)
        if failures:
            raise SourceUnavailable("; ".join(failures))

    def _fetch(self, url: str, state: State) -> tuple[int, httpx.Headers, bytes | None]:
        """(status, headers, body); the body is None when it is larger than allowed.

        The body is read as it streams in and never past the limit (a server
        can send endlessly), and errors name the feed without its query string.
        """
        headers = {"User-Agent": "radar-forum/1 (+feedback monitoring)"}
        if state.get(f"etag:{url}"):
            headers["If-None-Match"] = str(state[f"etag:{url}"])
        if state.get(f"modified:{url}"):
            headers["If-Modified-Since"] = str(state[f"modified:{url}"])
        limit = self.settings.max_feed_bytes
        try:
            with self.session.stream(
                "GET", url, headers=headers, timeout=self.settings.timeout_s
            ) as response:
                if response.status_code >= 400:
                    raise SourceUnavailable(f"{mask_url(url)}: HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        return response.status_code, response.headers, None
                return response.status_code, response.headers, bytes(body)
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{mask_url(url)}: {type(exc).__name__}") from exc

    def feed_records(
        self, url: str, body: bytes, validators: dict[str, Any], one_thread: bool, state: State
    ) -> Iterator[SourceRecord | Position]:
        """Records for the entries of one fetched feed document not sent before."""
        # a document, never a name: feedparser opens bytes or text that name a file
        parsed = feedparser.parse(io.BytesIO(body))
        if parsed.bozo and not parsed.entries:
            reason = type(parsed.get("bozo_exception")).__name__
            yield bad_record(
                url,
                body[:100_000],
                f"not a readable feed ({reason}: {parsed.get('bozo_exception')})",
                "bad_feed",
                position=validators,
            )
            return
        seen: list[str] = list(state.get(f"seen:{url}") or [])
        known = set(seen)
        entries = sorted(parsed.entries, key=lambda e: entry_time(e) or "")
        thread_root = self._opening_post(parsed, entries) if one_thread else None
        roots: dict[str, str] = {}
        for entry in entries:
            identity = entry_id(entry)
            fields = self._fields(entry, identity, thread_root, roots)
            roots[identity] = fields["thread_id"]
            if identity in known:
                continue
            seen.append(identity)
            known.add(identity)
            yield SourceRecord(f"{url}#{identity}", fields, dict(entry))
        yield Position({**validators, f"seen:{url}": seen[-SEEN_LIMIT:]})

    @staticmethod
    def _opening_post(parsed: Any, entries: list[Any]) -> str | None:
        link = parsed.feed.get("link")
        for entry in entries:
            if link and entry.get("link") == link:
                return entry_id(entry)
        return entry_id(entries[0]) if entries else None

    def _fields(
        self, entry: Any, identity: str, thread_root: str | None, roots: dict[str, str]
    ) -> dict[str, Any]:
        ref = (entry.get("thr_in-reply-to") or {}).get("ref")
        if ref:
            reply_to: str | None = str(ref)
            thread = roots.get(str(ref), thread_root or str(ref))
        elif thread_root is not None and identity != thread_root:
            reply_to, thread = thread_root, thread_root
        else:
            reply_to, thread = None, thread_root or identity
        author = entry.get("author") or ""
        detail = entry.get("author_detail") or {}
        email = detail.get("email") or ""
        profile = detail.get("href") or ""
        staff = bool(profile) and profile_key(profile) in self.staff_profiles
        staff = staff or bool({author.casefold(), email.casefold()} & self.staff)
        fields: dict[str, Any] = {
            "external_id": identity,
            "title": entry.get("title"),
            "text": entry_text(entry),
            "author": author or email or None,
            "url": entry.get("link"),
            "thread_id": thread,
            "reply_to": reply_to,
            "is_staff_reply": staff,
        }
        created = entry_time(entry)
        if created:
            fields["created_at"] = created
        tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
        if tags:
            fields["tags"] = ",".join(tags)[:500]
        return {k: v for k, v in fields.items() if v is not None}

    def close(self) -> None:
        self.session.close()
