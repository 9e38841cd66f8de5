"""The alert service in a thread (the entry point for end-to-end tests): acknowledging and
resolving through the Python API, as the dashboard will, reaches receivers and the topic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

import alerts
from radar.events import Signal
from radar.settings import CoreSettings
from radar.store import Store
from tests.integration.conftest import Pipeline
from tests.unit.alerts.conftest import RecordingServer, start_server

pytestmark = pytest.mark.integration

RULES = """
defaults: {{group_wait: 1s, group_interval: 1s, resolve_after: 1h}}
receivers:
  - {{name: oncall, webhook: {{url: "{hook}/oncall"}}}}
  - {{name: lead, webhook: {{url: "{hook}/lead"}}}}
rules:
  - name: sla
    match: {{sla_breach: true}}
    receivers: [oncall]
    escalate: [{{after: 3s, receivers: [lead]}}]
"""


@pytest.fixture
def webhook() -> Iterator[RecordingServer]:
    server = RecordingServer(default=(200, b"{}"))
    httpd = start_server(server)
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_acknowledge_and_resolve_through_the_api(
    pipeline: Pipeline, tmp_path: Path, webhook: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_LANGUAGE", "en")  # English on request; Tokyo time
    monkeypatch.setenv("RADAR_TIMEZONE", "Asia/Tokyo")
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(RULES.format(hook=webhook.url), encoding="utf-8")
    settings = alerts.AlertsSettings(
        rules_file=rules_file, tick_s=0.2, group_id=f"alerts-{pipeline.settings.topic_prefix}"
    )
    service = alerts.AlertService(CoreSettings(), settings).start()
    now = datetime.now(UTC)
    signal = Signal(
        id="sla-email",
        type="unanswered",
        key={"channel": "email"},
        window_start=now - timedelta(hours=6),
        window_end=now,
        observed=12,
        expected=0,
        score=1.0,
        statistic="sla_6h",
        severity=1,
        detected_at=now,
    )
    producer = KafkaProducer(bootstrap_servers=pipeline.bootstrap, acks="all")
    try:
        producer.send(pipeline.topics.signals, key=signal.id.encode(), value=signal.to_json())
        producer.flush(timeout=30)
        pipeline.wait_for(lambda: "/oncall" in webhook.paths(), what="the first notification")
        first = webhook.requests[0].json()
        incident_id = first["incident"]["id"]
        assert (first["lang"], first["timezone"]) == ("en", "Asia/Tokyo")
        assert first["title"] == "Unanswered past SLA: Email"
        store = Store.from_settings(CoreSettings())
        alerts.acknowledge(store, incident_id, "lin", "answering the backlog")
        time.sleep(4)  # past the escalation delay
        assert webhook.paths() == ["/oncall"]
        alerts.resolve(store, incident_id, "lin", "backlog cleared")
        pipeline.wait_for(lambda: webhook.paths() == ["/oncall", "/oncall"], what="resolved")
        resolved = webhook.requests[1].json()
        assert resolved["kind"] == "resolved" and resolved["note"] == "Resolved by lin"
        records = pipeline.consume("feedback.incidents", 3)
        mine = [r for r in records if r["id"] == incident_id]
        assert [r["status"] for r in sorted(mine, key=lambda r: r["version"])][-2:] == [
            "acknowledged",
            "resolved",
        ]
        assert max(mine, key=lambda r: r["version"])["resolved_by"] == "lin"
    finally:
        producer.close()
        service.stop()
