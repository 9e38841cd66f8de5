"""Social mentions on the real broker: Weibo-like webhook, token auth, replay, malformed input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.intake import TOKEN_HEADER
from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import (
    malformed_bodies,
    post,
    raw_events,
    read_topic,
    start_endpoint,
)

pytestmark = pytest.mark.integration

TOKEN = "listen-token"
WEIBO = {
    "id": 4951234567890123,
    "created_at": "Mon Nov 23 10:30:00 +0800 2026",
    "text": "#某品牌热水器# 用了一周就漏电，客服电话 021-64001234 一直占线，大家小心！",
    "user": {
        "id": 1234567890,
        "screen_name": "数码小王",
        "followers_count": 52000,
        "verified": True,
        "location": "上海 徐汇",
    },
    "reposts_count": 120,
    "comments_count": 45,
    "attitudes_count": 800,
    "url": "https://weibo.example/1234567890/4951234567890123",
}
FLAT = {
    "id": "m-2",
    "created_at": "2026-11-23T03:00:00Z",
    "text": "物流太慢了，差评",
    "author": "小李",
    "followers": 12,
    "reposts": 0,
    "likes": 1,
}


def auth() -> dict[str, str]:
    return {"Content-Type": "application/json", TOKEN_HEADER: TOKEN}


def test_weibo_like_mentions_arrive_with_reach_and_engagement(pipeline: Pipeline) -> None:
    base, _ = start_endpoint(pipeline, "social", {"RADAR_INGEST_SOCIAL_TOKEN": TOKEN})
    for payload in (WEIBO, FLAT):
        status, answer = post(base + "/submit", json.dumps(payload).encode(), auth())
        assert status == 202, answer
    status, _ = post(base + "/submit", json.dumps(FLAT).encode(), {TOKEN_HEADER: "wrong"})
    assert status == 401

    received = {e.external_id: e for e in raw_events(pipeline, 2)}
    weibo = received["4951234567890123"]
    assert weibo.channel == "social" and weibo.reach == 52000 and weibo.region == "上海"
    assert weibo.created_at.isoformat() == "2026-11-23T02:30:00+00:00"
    assert weibo.attributes["reposts"] == 120 and weibo.attributes["likes"] == 800
    assert weibo.attributes["comments"] == 45 and weibo.url == WEIBO["url"]
    assert "64001234" not in weibo.text and "021-****1234" in weibo.text
    assert received["m-2"].reach == 12 and received["m-2"].attributes["likes"] == 1


def test_malformed_mentions_never_crash_and_all_reach_the_dead_letters(
    pipeline: Pipeline,
) -> None:
    base, process = start_endpoint(pipeline, "social", {"RADAR_INGEST_SOCIAL_TOKEN": TOKEN})
    fields = {
        "id": st.text(min_size=1, max_size=12),
        "created_at": st.sampled_from(["Mon Nov 23 10:30:00 +0800 2026", "2026-11-23", "soon"]),
        "text": st.text(max_size=40),
        "user": st.fixed_dictionaries({"followers_count": st.integers(-5, 10**6)}),
        "reposts_count": st.integers(-2, 100),
        "likes": st.integers(-2, 100),
    }
    expected: dict[str, str] = {}

    @settings(max_examples=60, deadline=None, database=None)
    @given(malformed_bodies(fields, "text"))
    def throw(body: bytes) -> None:
        status, answer = post(base + "/submit", body, auth())
        assert status in {202, 400, 422}, (status, answer)
        if status != 202:
            expected[answer["deadletter_id"]] = answer["error"]

    throw()
    assert process.poll() is None
    letters = read_topic(pipeline, "feedback.deadletter", len(expected), timeout=30)
    got: dict[str, Any] = {d["id"]: d["reason"] for d in letters}
    assert {k: got.get(k) for k in expected} == expected


def test_replay_of_saved_mentions(pipeline: Pipeline, tmp_path: Path) -> None:
    source = tmp_path / "mentions.jsonl"
    again = {
        **WEIBO,
        "id": 4951234567890999,
        "text": WEIBO["text"] + "！！",
        "created_at": "Mon Nov 23 12:00:00 +0800 2026",
    }
    rows = [WEIBO, FLAT, {"id": "m-3", "text": "没有时间"}, [1, 2], again]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    out = json.loads(pipeline.radar("ingest", "social", str(source), "--json").stdout)
    assert out["events"] == 3 and out["duplicates"] == 1
    assert out["deadletters_by_reason"] == {"missing_field": 1, "wrong_type": 1}
    events = {e.external_id: e for e in raw_events(pipeline, 3)}
    first, repeat = events[str(WEIBO["id"])], events[str(again["id"])]
    assert repeat.duplicate_of == first.id and first.duplicate_of is None  # flagged, kept
