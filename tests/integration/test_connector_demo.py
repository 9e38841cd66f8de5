"""Demo feed on the real broker: every channel, heartbeats, incidents file, same seed same ids."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from radar.events import FeedbackEvent
from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import read_topic

pytestmark = pytest.mark.integration


def test_demo_backfill_sends_every_channel_and_lists_incidents(pipeline: Pipeline) -> None:
    incidents = pipeline.data_dir / "incidents.json"
    until = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M%z")
    args = (
        "ingest",
        "demo",
        "--seed",
        "3",
        "--days",
        "4",  # the story needs a warm-up before its first incident: 4 days hold all of it
        "--per-day",
        "300",
        "--no-follow",
        "--incidents",
        str(incidents),
        "--until",
        until,
        "--json",
    )
    out = json.loads(pipeline.radar(*args).stdout)
    assert out["backfilled"] > 250 and out["deadletters"] == 0
    listed = json.loads(incidents.read_text(encoding="utf-8"))
    kinds = Counter(i["type"] for i in listed)
    # --no-follow: the story's live courier wave is not scripted
    assert kinds["spike"] == 1 and kinds["crisis"] == 1 and kinds["silence"] == 1
    assert kinds["source_down"] == 1
    assert listed == out["incidents"]

    records = read_topic(pipeline, "feedback.raw", out["backfilled"], timeout=60)
    events = [FeedbackEvent.model_validate(r) for r in records]
    assert len(events) == out["backfilled"]
    assert {e.channel for e in events} == {"review", "survey", "forum", "social", "email", "chat"}
    surveys = [e for e in events if e.channel == "survey" and e.csat is not None]
    assert surveys and all((e.csat >= 4) == ((e.nps or 0) >= 8) for e in surveys)
    assert any(e.is_staff_reply and e.reply_to for e in events if e.channel == "forum")
    beats = read_topic(pipeline, "feedback.heartbeats", 24 * 5, timeout=30)
    assert {b["source"] for b in beats} >= {"demo-review", "demo-chat", "demo-email"}

    again = json.loads(pipeline.radar(*args).stdout)
    assert again["backfilled"] == out["backfilled"]
    replay = read_topic(pipeline, "feedback.raw", 2 * out["backfilled"], timeout=60)
    assert {r["id"] for r in replay} == {e.id for e in events}  # same seed, same ids
