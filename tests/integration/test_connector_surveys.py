"""Survey endpoint on the real broker: signed submissions, 4xx naming the field, malformed input."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.intake import signed_headers
from radar.events import make_event_id
from tests.integration.conftest import Pipeline, free_port
from tests.integration.connector_helpers import (
    dead_letters,
    http_get,
    malformed_bodies,
    post,
    raw_events,
    read_topic,
    start_endpoint,
)

pytestmark = pytest.mark.integration

SECRET = "form-secret"
GOOD = {
    "submission_id": "S-1001",
    "submitted_at": "2026-11-20 15:30:00",
    "form": "after-sale-csat",
    "csat": 2,
    "nps": 3,
    "comment": "退货流程太复杂，等了三天没人联系我 13800138000",
    "answers": {"最不满意的地方": "客服回复慢", "建议": "增加在线客服"},
    "order_id": "E20261120001",
    "product_id": "P-88",
    "segment": "VIP",
    "region": "广东",
    "respondent": "王女士",
}


def signed(body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", **signed_headers(body, SECRET)}


def test_survey_submissions_signed_validated_and_acknowledged(pipeline: Pipeline) -> None:
    metrics_port = free_port()
    base, process = start_endpoint(
        pipeline,
        "surveys",
        {
            "RADAR_INGEST_SURVEYS_HMAC_SECRET": SECRET,
            "RADAR_INGEST_SURVEYS_METRICS_PORT": str(metrics_port),
        },
    )
    body = json.dumps(GOOD, ensure_ascii=False).encode()
    status, answer = post(base + "/submit", body, signed(body))
    assert status == 202
    assert answer["id"] == make_event_id("survey", "survey-endpoint", "S-1001")
    # the 202 came after Kafka's acknowledgement: the event is already on the topic
    [event] = raw_events(pipeline, 1, timeout=5)
    assert (event.channel, event.csat, event.nps, event.segment) == ("survey", 2, 3, "VIP")
    assert event.product == "P-88" and event.region == "广东"
    assert event.attributes["order_id"] == "E20261120001"
    assert "最不满意的地方：客服回复慢" in event.text
    assert "13800138000" not in event.text and event.author and event.author.startswith("u_")

    status, answer = post(base + "/submit", body, {"Content-Type": "application/json"})
    assert status == 401 and "signature" in answer["message"]

    bad = json.dumps({**GOOD, "submission_id": "S-1002", "csat": 7}).encode()
    status, answer = post(base + "/submit", bad, signed(bad))
    assert status == 422 and answer["field"] == "csat" and "csat" in answer["message"]
    missing = json.dumps({"submitted_at": "2026-11-20 10:00", "nps": 9}).encode()
    status, answer = post(base + "/submit", missing, signed(missing))
    assert status == 422 and answer["field"] == "submission_id"
    status, answer = post(base + "/submit", b"{oops", signed(b"{oops"))
    assert status == 400 and answer["error"] == "bad_json"

    letters = {d.id: d for d in dead_letters(pipeline, 3)}
    assert len(letters) == 3  # the unsigned request is refused, not stored
    assert {d.reason for d in letters.values()} == {"invalid_value", "missing_field", "bad_json"}
    assert any('"csat": 7' in d.original for d in letters.values())
    metrics = http_get(f"http://127.0.0.1:{metrics_port}/metrics")  # internal port only
    assert 'radar_ingest_records_rejected_total{channel="survey",reason="unauthorized"' in metrics
    beats = read_topic(pipeline, "feedback.heartbeats", 1, timeout=10)
    assert beats and beats[0]["source"] == "survey-endpoint" and beats[0]["status"] == "ok"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0  # drains and closes the producer cleanly


def test_malformed_submissions_never_crash_and_all_reach_the_dead_letters(
    pipeline: Pipeline,
) -> None:
    base, process = start_endpoint(
        pipeline, "surveys", {"RADAR_INGEST_SURVEYS_HMAC_SECRET": SECRET}
    )
    fields = {
        "submission_id": st.text(min_size=1, max_size=20),
        "submitted_at": st.just("2026-11-20 10:00:00"),
        "csat": st.integers(-3, 8),
        "nps": st.integers(-3, 13),
        "comment": st.text(max_size=50),
        "answers": st.dictionaries(st.text(max_size=5), st.text(max_size=20), max_size=3),
        "region": st.text(max_size=10),
    }
    expected: dict[str, str] = {}
    accepted: list[str] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(malformed_bodies(fields, "comment"))
    def throw(body: bytes) -> None:
        status, answer = post(base + "/submit", body, signed(body))
        assert status in {202, 400, 422}, (status, answer)
        if status == 202:
            accepted.append(answer["id"])
        else:
            assert answer["error"] and answer["message"]
            expected[answer["deadletter_id"]] = answer["error"]

    throw()
    assert process.poll() is None, "the endpoint must survive every input"
    assert len(expected) > 20
    letters = read_topic(pipeline, "feedback.deadletter", len(expected), timeout=30)
    got: dict[str, Any] = {d["id"]: d["reason"] for d in letters}
    assert {k: got.get(k) for k in expected} == expected
    assert len({r["id"] for r in read_topic(pipeline, "feedback.raw", len(set(accepted)))}) >= len(
        set(accepted)
    )


def test_replayed_submissions_from_json_lines(pipeline: Pipeline, tmp_path: Path) -> None:
    lines = [json.dumps({**GOOD, "submission_id": f"R{i}", "csat": 1 + i % 5}) for i in range(4)]
    lines.append(json.dumps({**GOOD, "submission_id": "R9", "nps": "ten"}))
    source = tmp_path / "submissions.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = json.loads(pipeline.radar("ingest", "surveys", str(source), "--json").stdout)
    assert out["events"] == 4 and out["deadletters_by_reason"] == {"wrong_type": 1}
    assert sorted(e.csat or 0 for e in raw_events(pipeline, 4)) == [1, 2, 3, 4]
