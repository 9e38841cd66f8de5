"""Forum connector on the real broker: Atom/RSS over HTTP with ETag, threads and staff replies."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ingest.forum import ForumFeeds, ForumSettings
from radar.settings import CoreSettings
from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import dead_letters, http_server, raw_events, run_once

pytestmark = pytest.mark.integration

ENTRY = """<entry><id>{id}</id><title>{title}</title><link href="http://bbs.example/p/{id}"/>
<author><name>{author}</name><uri>http://bbs.example/u/{uid}</uri></author>{reply}
<published>{time}</published><content type="html">{html}</content></entry>"""


def atom(entries: list[dict[str, str]]) -> bytes:
    body = "".join(
        ENTRY.format(
            **{"uid": "0", **e},  # the author's profile number (who vouches for staff)
            reply=f'<thr:in-reply-to ref="{e["ref"]}"/>' if e.get("ref") else "",
        )
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:thr="http://purl.org/syndication/thread/1.0"><title>售后论坛</title>'
        f'<id>urn:bbs</id><link href="http://bbs.example/"/>{body}</feed>'
    ).encode()


THREAD = [
    {
        "id": "p1",
        "title": "热水器漏水",
        "author": "张先生",
        "uid": "301",
        "time": "2026-11-20T09:00:00+08:00",
        "html": "&lt;p&gt;买了三天就&lt;b&gt;漏水&lt;/b&gt;，电话 13700001111&lt;/p&gt;",
    },
    {
        "id": "p2",
        "title": "Re: 热水器漏水",
        "author": "客服小美",
        "uid": "1024",
        "ref": "p1",
        "time": "2026-11-20T16:30:00+08:00",
        "html": "&lt;p&gt;您好，已为您登记售后&lt;/p&gt;",
    },
]
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>topics</title>
<link>http://bbs.example/</link>
<item><guid>t9</guid><title>What about shipping?</title><link>http://bbs.example/t9</link>
<description>When will my order ship?</description><author>li@example.com (Li)</author>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0800</pubDate></item></channel></rss>"""


def test_feeds_with_etag_threads_and_staff_replies(pipeline: Pipeline) -> None:
    documents: dict[str, tuple[str, bytes]] = {
        "/thread.atom": ('"v1"', atom(THREAD)),
        "/topics.rss": ('"r1"', RSS),
        "/broken.xml": ('"b1"', b"<html><body>502 Bad Gateway</body>"),
    }
    hits: list[tuple[str, int]] = []
    lock = threading.Lock()

    def handle(request: Any) -> tuple[int, dict[str, str], bytes]:
        if request.path == "/down.xml":
            return 503, {}, b""
        etag, body = documents[request.path]
        status = 304 if request.headers.get("If-None-Match") == etag else 200
        with lock:
            hits.append((request.path, status))
        return (
            status,
            {"ETag": etag, "Content-Type": "application/atom+xml"},
            (b"" if status == 304 else body),
        )

    with http_server(handle) as base:
        settings = ForumSettings(
            feeds=[f"{base}/thread.atom", f"{base}/topics.rss", f"{base}/broken.xml"],
            staff_profiles=["http://bbs.example/u/1024"],
        )
        first = run_once(ForumFeeds(settings, CoreSettings()), settings)
        assert (first.events, sum(first.deadletters.values())) == (3, 1)

        second = run_once(ForumFeeds(settings, CoreSettings()), settings)
        assert second.records == 0
        assert ("/thread.atom", 304) in hits and ("/topics.rss", 304) in hits

        reply = {
            "id": "p3",
            "title": "Re: 热水器漏水",
            "author": "客服小美",  # a member who took the agent's display name
            "uid": "777",
            "ref": "p2",
            "time": "2026-11-21T08:00:00+08:00",
            "html": "还没人联系我",
        }
        with lock:
            documents["/thread.atom"] = ('"v2"', atom([*THREAD, reply]))
        third = run_once(ForumFeeds(settings, CoreSettings()), settings)
        assert third.events == 1  # only the new post

        down = ForumSettings(feeds=[f"{base}/down.xml"])
        with pytest.raises(Exception, match="HTTP 503"):
            run_once(ForumFeeds(down, CoreSettings()), down)

    posts = {e.external_id: e for e in raw_events(pipeline, 4)}
    assert set(posts) == {"p1", "p2", "p3", "t9"}
    assert posts["p1"].text == "买了三天就\n漏水\n，电话 137****1111" or "漏水" in posts["p1"].text
    assert "13700001111" not in posts["p1"].text and "<b>" not in posts["p1"].text
    assert posts["p1"].thread_id == "p1" and posts["p1"].reply_to is None
    assert not posts["p1"].is_staff_reply
    assert posts["p2"].is_staff_reply and posts["p2"].reply_to == "p1"
    assert posts["p2"].thread_id == "p1" and posts["p3"].thread_id == "p1"
    assert not posts["p3"].is_staff_reply  # the profile, not the name, makes staff (review L5)
    assert (posts["p2"].created_at - posts["p1"].created_at).total_seconds() == 7.5 * 3600
    assert (
        posts["t9"].title == "What about shipping?" and posts["t9"].url == "http://bbs.example/t9"
    )
    [letter] = dead_letters(pipeline, 1)
    assert letter.reason == "bad_feed" and "502 Bad Gateway" in letter.original
