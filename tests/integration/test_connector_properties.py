"""Malformed input thrown at the pull connectors (files, chat, forum, email) on the real broker.

Whatever hypothesis generates, the connector must not raise, and every record
it could not turn into an event must be on ``feedback.deadletter`` with the
reason it gave.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.base import PullConnector, SourceRecord, SourceUnavailable
from ingest.chat import ChatSettings, chat_files
from ingest.email_imap import EmailSettings, ImapMailbox
from ingest.emitter import Emitter, Outcome
from ingest.forum import ForumFeeds, ForumSettings
from ingest.producer import FeedbackProducer
from ingest.review_api import ReviewApi, ReviewApiSettings
from ingest.reviews import ReviewsSettings, review_files
from radar.settings import CoreSettings
from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import http_server, junk_json, read_topic

pytestmark = pytest.mark.integration

PROPERTY = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def lines() -> Any:
    """JSON-lines content: junk objects, wrong types, bad UTF-8, huge and empty texts."""
    junk = junk_json()
    record = st.fixed_dictionaries(
        {},
        optional={
            "id": junk,
            "text": st.one_of(junk, st.just(""), st.just("差" * 50_001)),
            "created_at": st.one_of(junk, st.just("2026-11-20 10:00")),
            "rating": junk,
            "conversation_id": junk,
            "role": junk,
        },
    )
    line = st.one_of(
        record.map(lambda d: json.dumps(d, ensure_ascii=False).encode()),
        junk.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=40).map(lambda b: b"\xff" + b.replace(b"\n", b"")),
        st.just(b"{" * 100 + b"}" * 100),
    )
    return st.lists(line, min_size=1, max_size=5).map(lambda ls: b"\n".join(ls) + b"\n")


class Collector:
    """Sends records through one emitter and remembers each dead letter it was promised."""

    def __init__(self, producer: FeedbackProducer) -> None:
        self.producer = producer
        self.expected: dict[str, str] = {}

    def run(self, connector: PullConnector, records: list[SourceRecord] | None = None) -> None:
        emitter = Emitter(self.producer, connector.normaliser)
        items = (
            records
            if records is not None
            else [r for r in connector.read({}) if isinstance(r, SourceRecord)]
        )
        for record in items:
            outcome: Outcome = emitter.emit(record)
            if outcome.event_id is None:
                assert outcome.reason and outcome.deadletter_id
                self.expected[outcome.deadletter_id] = outcome.reason

    def check(self, pipeline: Pipeline) -> None:
        self.producer.flush()
        assert self.expected, "the generated input should include bad records"
        letters = read_topic(pipeline, "feedback.deadletter", len(self.expected), timeout=60)
        got = {d["id"]: d["reason"] for d in letters}
        assert {k: got.get(k) for k in self.expected} == self.expected


def file_property(
    pipeline: Pipeline, tmp_path: Path, make: Callable[[Path, CoreSettings], PullConnector]
) -> None:
    core = CoreSettings()
    counter = iter(range(10**6))
    with FeedbackProducer(core, client_id="radar-test") as producer:
        collector = Collector(producer)

        @PROPERTY
        @given(lines())
        def throw(content: bytes) -> None:
            path = tmp_path / f"input-{next(counter)}.jsonl"
            path.write_bytes(content)
            collector.run(make(path, core))

        throw()
        collector.check(pipeline)


def test_review_files_survive_junk(pipeline: Pipeline, tmp_path: Path) -> None:
    settings_ = ReviewsSettings(dedupe_window_h=0)
    file_property(pipeline, tmp_path, lambda p, core: review_files([p], core, settings_))


def test_chat_transcripts_survive_junk(pipeline: Pipeline, tmp_path: Path) -> None:
    settings_ = ChatSettings(dedupe_window_h=0)
    file_property(pipeline, tmp_path, lambda p, core: chat_files([p], core, settings_))


def test_forum_feeds_survive_junk(pipeline: Pipeline) -> None:
    core = CoreSettings()
    connector = ForumFeeds(ForumSettings(feeds=["http://bbs.invalid/feed"]), core)
    entry = st.fixed_dictionaries(
        {},
        optional={
            "id": st.text(max_size=10),
            "title": st.text(max_size=20),
            "content": st.one_of(st.text(max_size=50), st.just("<p>" * 300)),
            "published": st.sampled_from(["2026-11-20T10:00:00Z", "yesterday", ""]),
            "author": st.text(max_size=10),
        },
    )

    def atom(entries: list[dict[str, str]]) -> bytes:
        from xml.sax.saxutils import escape

        body = "".join(
            "<entry>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in e.items()) + "</entry>"
            for e in entries
        )
        return f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'.encode()

    documents = st.one_of(
        st.lists(entry, max_size=4).map(atom),
        st.binary(max_size=200),
        st.just(b"<rss><channel><item><title>unclosed"),
    )
    with FeedbackProducer(core, client_id="radar-test") as producer:
        collector = Collector(producer)

        @PROPERTY
        @given(documents)
        def throw(body: bytes) -> None:
            records = [
                r
                for r in connector.feed_records("http://bbs.invalid/feed", body, {}, False, {})
                if isinstance(r, SourceRecord)
            ]
            collector.run(connector, records)

        throw()
        collector.check(pipeline)


def test_email_messages_survive_junk(pipeline: Pipeline) -> None:
    core = CoreSettings()
    mailbox = ImapMailbox(EmailSettings(username="support", dedupe_window_h=0), core)
    header = st.sampled_from(
        [
            b"From: =?gb2312?B?zfXFrsq/?= <a@b.cn>\r\n",
            b"From: \xff\xfe\r\n",
            b"Subject: =?x?q?=ZZ?=\r\n",
            b"Date: not a date\r\n",
            b"Content-Type: text/plain; charset=unknown-8\r\n",
            b"Content-Type: multipart/mixed; boundary=zz\r\n",
            b"Message-ID: <m@x>\r\n",
            b"Content-Transfer-Encoding: base64\r\n",
        ]
    )
    messages = st.tuples(st.lists(header, max_size=5), st.binary(max_size=300)).map(
        lambda pair: b"".join(pair[0]) + b"\r\n" + pair[1]
    )
    with FeedbackProducer(core, client_id="radar-test") as producer:
        collector = Collector(producer)
        uids = iter(range(1, 10**6))

        @PROPERTY
        @given(messages)
        def throw(raw: bytes) -> None:
            uid = next(uids)
            record = mailbox._record(uid, raw, None, {"uidvalidity": 1, "last_uid": uid})
            collector.run(mailbox, [record])

        throw()
        collector.check(pipeline)


def test_review_api_survives_junk_pages(pipeline: Pipeline) -> None:
    core = CoreSettings()
    current: list[bytes] = [b"{}"]

    def handle(_request: Any) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/json"}, current[0]

    junk = junk_json()
    item = st.fixed_dictionaries(
        {},
        optional={
            "id": junk,
            "content": st.one_of(junk, st.just("差" * 50_001)),
            "rating": junk,
            "created_at": st.one_of(junk, st.just("2026-11-20 10:00")),
        },
    )
    pages = st.one_of(
        st.lists(st.one_of(item, junk), max_size=5).map(lambda items: {"items": items}),
        junk.map(lambda value: {"items": value}),
        junk,
    )
    with http_server(handle) as base, FeedbackProducer(core, client_id="radar-test") as producer:
        settings_ = ReviewApiSettings(url=base + "/r?since={since}", dedupe_window_h=0)
        connector = ReviewApi(settings_, core)
        collector = Collector(producer)

        @PROPERTY
        @given(pages)
        def throw(page: Any) -> None:
            current[0] = json.dumps(page, ensure_ascii=False).encode()
            try:
                records = [r for r in connector.read({}) if isinstance(r, SourceRecord)]
            except SourceUnavailable:
                assert not isinstance(page, dict) or not isinstance(page.get("items"), list)
                return
            collector.run(connector, records)

        throw()
        collector.check(pipeline)
