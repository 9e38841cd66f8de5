"""Hostile input against the real broker: records too large for Kafka never wedge a connector."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic

from ingest.base import SourceUnavailable
from ingest.forum import ForumFeeds, ForumSettings
from ingest.review_api import NextPage, ReviewApi, ReviewApiSettings
from ingest.reviews import ReviewsSettings, review_files
from radar.events import MAX_ORIGINAL_CHARS
from radar.settings import CoreSettings
from radar.topics import Topics, ensure_topics
from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import dead_letters, http_server, raw_events, run_once
from tests.integration.dovecot_server import Dovecot, dovecot
from tests.integration.test_connector_email import append
from tests.integration.test_connector_forum import atom

pytestmark = pytest.mark.integration

MEBIBYTE = 1_048_576
T = "2026-11-20T09:00:00+08:00"


@pytest.fixture
def imap_server() -> Iterator[Dovecot]:
    with dovecot() as server:
        yield server


def test_a_file_row_over_a_mebibyte_is_a_cut_masked_dead_letter(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    """Before: the dead letter held the whole row, Kafka refused it (MessageSizeTooLarge),
    the connector exited, restarted on the same row, and never got past it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    huge = {"id": "big", "text": "电话13812345678 " + "差" * 600_000, "created_at": "2026-11-20"}
    lines = [json.dumps(huge, ensure_ascii=False), json.dumps({"id": "ok", "text": "好评"})]
    (inbox / "reviews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (inbox / "reviews.jsonl").stat().st_size > MEBIBYTE

    command = ("ingest", "reviews", str(inbox), "--source", "inbox", "--json")
    first = json.loads(pipeline.radar(*command).stdout)
    assert first["events"] == 1 and first["deadletters_by_reason"] == {"too_long": 1}
    [letter] = dead_letters(pipeline, 1)
    assert letter.locator == "reviews.jsonl:1" and letter.reason == "too_long"
    assert len(letter.original) <= MAX_ORIGINAL_CHARS + 1
    assert "13812345678" not in letter.original and "138****5678" in letter.original
    assert [e.external_id for e in raw_events(pipeline, 1)] == ["ok"]

    again = json.loads(pipeline.radar(*command).stdout)
    assert again["records"] == 0  # the checkpoint moved past the row


def test_a_line_of_several_mebibytes_is_skipped_without_reading_it_whole(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    path = tmp_path / "dump.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"id": "x", "text": "' + b"a" * (5 * MEBIBYTE) + b'"}\n')
        fh.write(json.dumps({"id": "after", "text": "还行"}).encode() + b"\n")
    result = json.loads(pipeline.radar("ingest", "reviews", str(path), "--json").stdout)
    assert result["events"] == 1 and result["deadletters_by_reason"] == {"too_long": 1}
    [letter] = dead_letters(pipeline, 1)
    assert "5,242,9" in letter.message and len(letter.original) <= MAX_ORIGINAL_CHARS + 1


def test_an_email_over_a_mebibyte_does_not_stop_the_mailbox(
    pipeline: Pipeline, imap_server: Dovecot
) -> None:
    """Anyone can mail the support box: a subject over 1,000 characters (too long) and a
    2 MiB attachment used to make a dead letter of the whole MIME message, which Kafka
    refused for ever."""
    hostile = MIMEMultipart()
    hostile.attach(MIMEText("我的电话 13912345678，身份证 110101199003078515", "plain", "utf-8"))
    hostile.attach(MIMEApplication(b"\x00" * (2 * MEBIBYTE), Name="dump.bin"))
    hostile["Subject"] = "退款" * 600
    hostile["From"] = "someone@example.cn"
    hostile["Message-ID"] = "<big@example.cn>"
    normal = MIMEText("发票还没开", "plain", "utf-8")
    normal["From"] = "li@example.cn"
    normal["Message-ID"] = "<n1@example.cn>"
    normal["Date"] = "Fri, 20 Nov 2026 10:00:00 +0800"
    append(imap_server, hostile.as_bytes(), normal.as_bytes())

    pipeline.env["RADAR_INGEST_EMAIL_PASSWORD"] = imap_server.password
    command = (
        *("ingest", "email", "--host", imap_server.host, "--port", str(imap_server.port)),
        *("--security", "starttls", "--ca-file", str(imap_server.cafile)),
        *("--username", imap_server.user, "--json"),
    )
    first = json.loads(pipeline.radar(*command).stdout)
    assert first["events"] == 1 and first["deadletters_by_reason"] == {"too_long": 1}
    [letter] = dead_letters(pipeline, 1)
    assert letter.locator == "INBOX:uid:1" and len(letter.to_json()) < MEBIBYTE // 4
    assert "13912345678" not in letter.original and "199003078" not in letter.original
    kept = json.loads(letter.original)
    assert kept["mime_bytes"] > 2 * MEBIBYTE and kept["cut_at"] == 1_000_000  # never read whole
    assert [e.external_id for e in raw_events(pipeline, 1)] == ["<n1@example.cn>"]
    assert json.loads(pipeline.radar(*command).stdout)["records"] == 0


def test_an_event_the_broker_refuses_as_too_large_becomes_a_dead_letter(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cluster whose topic takes smaller records than the producer sends: the broker's
    refusal (fatal to an idempotent producer) is not retried for ever, the event goes to
    the dead letters cut short and the records after it still arrive."""
    prefix = f"{pipeline.settings.topic_prefix}small."
    monkeypatch.setenv("RADAR_TOPIC_PREFIX", prefix)
    core = CoreSettings()
    topics = Topics.from_settings(core)
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:
        small = {"max.message.bytes": "20000"}
        admin.create_topics([NewTopic(topics.raw, 1, 1, topic_configs=small)])
    finally:
        admin.close()
    ensure_topics(core)
    noise = random.Random(1)  # incompressible: lz4 would shrink a repeated text below the limit
    text = "".join(chr(noise.randrange(0x4E00, 0x9FFF)) for _ in range(40_000))
    path = tmp_path / "reviews.jsonl"
    rows = [{"id": "long", "text": text}, {"id": "short", "text": "好"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    settings = ReviewsSettings(dedupe_window_h=0)
    summary = run_once(review_files([path], core, settings), settings)
    assert summary.records == 2 and summary.failed_polls == 0
    [letter] = _records(pipeline.bootstrap, topics.deadletter, 1)
    assert letter["reason"] == "too_large" and letter["locator"] == "long"
    assert "more than Kafka takes" in letter["message"] and len(letter["original"]) < 5000
    assert [e["external_id"] for e in _records(pipeline.bootstrap, topics.raw, 1)] == ["short"]


def _records(bootstrap: str, topic: str, expected: int) -> list[dict[str, object]]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=3000
    )
    try:
        records: list[dict[str, object]] = []
        for _ in range(10):
            records.extend(json.loads(m.value) for m in consumer)
            if len(records) >= expected:
                break
        return records
    finally:
        consumer.close()


def test_a_feed_body_naming_a_local_file_is_read_as_a_document(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    """feedparser opens bytes that name a file: a feed server answering `/dev/zero` ran the
    connector out of memory, and one naming a feed-shaped local file had it ingested."""
    local = tmp_path / "secret.atom"
    local.write_bytes(
        atom([{"id": "s1", "title": "本地文件", "author": "x", "html": "机密", "time": T}])
    )
    big = b"<rss>" + b"<!-- padding -->" * 700_000  # 11 MB

    def handle(request: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if request.path == "/path.xml":
            return 200, {}, str(local).encode()
        if request.path == "/big.xml":
            return 200, {}, big
        if request.path.startswith("/loop.xml"):
            return 302, {"Location": "/loop.xml"}, b""
        return (
            200,
            {},
            atom([{"id": "ok1", "title": "正常", "author": "y", "html": "发货慢", "time": T}]),
        )

    with http_server(handle) as base:
        settings = ForumSettings(feeds=[f"{base}/path.xml", f"{base}/big.xml", f"{base}/ok.xml"])
        summary = run_once(ForumFeeds(settings, CoreSettings()), settings)
        loop = ForumSettings(feeds=[f"{base}/loop.xml?token=s3cret"])
        with pytest.raises(SourceUnavailable, match="TooManyRedirects") as refused:
            run_once(ForumFeeds(loop, CoreSettings()), loop)
    assert "s3cret" not in str(refused.value)
    assert summary.events == 1 and dict(summary.deadletters) == {"bad_feed": 1, "too_large": 1}
    assert [e.external_id for e in raw_events(pipeline, 1)] == ["ok1"]
    letters = {letter.reason: letter for letter in dead_letters(pipeline, 2)}
    assert "机密" not in letters["bad_feed"].original


def test_links_and_pipes_in_a_watched_inbox_are_not_read(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    """Anyone who can write into the inbox could drop `env.jsonl -> /proc/self/environ`:
    every line became a bad_json dead letter holding the process's secrets, shown on the
    dashboard's health page."""
    secret = tmp_path / "alerts-link.key"
    secret.write_text("RADAR_STORE_URL=postgresql://radar:hunter2@db/radar\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "reviews.jsonl").write_text(json.dumps({"id": "1", "text": "物流很快"}) + "\n")
    (inbox / "env.jsonl").symlink_to("/proc/self/environ")
    (inbox / "key.jsonl").symlink_to(secret)
    (inbox / "inside.jsonl").symlink_to(inbox / "reviews.jsonl")
    os.mkfifo(inbox / "pipe.jsonl")
    result = json.loads(pipeline.radar("ingest", "reviews", str(inbox), "--json").stdout)
    assert result == {**result, "records": 1, "events": 1, "deadletters": 0}
    assert [e.external_id for e in raw_events(pipeline, 1)] == ["1"]


def test_the_review_api_sends_its_credentials_to_its_own_origin_only(pipeline: Pipeline) -> None:
    """The API's next-page link named any URL, and the session sent the auth header there
    (a token leak, or a request on the connector's behalf to anywhere it can reach)."""
    seen_elsewhere: list[dict[str, str]] = []

    def elsewhere(request: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        seen_elsewhere.append(dict(request.headers))
        return 200, {}, json.dumps({"items": [{"id": "evil", "content": "x"}]}).encode()

    with http_server(elsewhere) as other:

        def api(request: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
            if request.headers.get("X-Api-Key") != "k3y" or request.headers.get("X-Shop") != "s1":
                return 401, {}, b"{}"
            if request.path.startswith("/moved"):
                return 302, {"Location": f"{other}/steal"}, b""
            page = {"items": [{"id": "r1", "content": "好评"}], "next": f"{other}/page2"}
            return 200, {}, json.dumps(page).encode()

        with http_server(api) as base:
            common = {
                "auth_header": "X-Api-Key",
                "auth_token": "k3y",
                "headers": {"X-Shop": "s1"},
                "next_page": NextPage(kind="link", path="next"),
                "fields": {"external_id": "id", "text": "content"},
                "dedupe_window_h": 0,
            }
            settings = ReviewApiSettings(url=base + "/reviews?since={since}", **common)
            summary = run_once(ReviewApi(settings, CoreSettings()), settings)
            moved = ReviewApiSettings(url=base + "/moved?since={since}", **common)
            with pytest.raises(SourceUnavailable, match="another origin"):
                run_once(ReviewApi(moved, CoreSettings()), moved)
    assert summary.events == 1 and [e.external_id for e in raw_events(pipeline, 1)] == ["r1"]
    assert seen_elsewhere == []  # neither the link nor the redirect was followed
