"""Alerts end to end on the real broker, with real servers on loopback: a webhook receiver,
an SMTP server (aiosmtpd) and Debian's Prometheus Alertmanager, started by the test."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from kafka import KafkaProducer

from alerts import incidents
from radar.events import Sample, Signal
from radar.i18n import Locale
from radar.settings import CoreSettings
from radar.store import Store
from tests.integration.conftest import Pipeline, free_port
from tests.needs import require
from tests.unit.alerts.conftest import RecordingServer, start_server

pytestmark = pytest.mark.integration

ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
KEY = {"topic": "物流配送", "region": "华东"}


class Mailbox:
    """aiosmtpd handler keeping every mail it accepts."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.mails]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[RecordingServer]:
    server = RecordingServer(default=(200, b"{}"))
    httpd = start_server(server)
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """Debian's Alertmanager on a free loopback port, clustering off, storage in tmp."""
    alertmanager = require(
        ALERTMANAGER,
        "install Debian's prometheus-alertmanager: apt-get install prometheus-alertmanager",
    )
    config = tmp_path / "alertmanager.yml"
    config.write_text('route: {receiver: "null"}\nreceivers: [{name: "null"}]\n', encoding="utf-8")
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            alertmanager,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "alertmanager.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def am_alerts(url: str) -> list[dict[str, Any]]:
    """Active alerts in Alertmanager (resolved ones are not listed)."""
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as answer:
        return list(json.load(answer))


RULES = """
defaults:
  group_by: [region]
  group_wait: 2s
  group_interval: 1s
  repeat_interval: 1h
  resolve_after: 4s
receivers:
  - {{name: oncall, webhook: {{url: "{hook}/oncall"}}}}
  - {{name: lead, webhook: {{url: "{hook}/lead"}}}}
  - name: mail
    email: {{to: [oncall@shop.example], from: radar@shop.example, host: 127.0.0.1, port: {smtp}}}
  - {{name: am, alertmanager: {{url: "{am}", labels: {{team: cs}}}}}}
rules:
  - name: complaint-spike
    description: Complaints far above normal
    match: {{type: spike, min_score: 0.9}}
    receivers: [oncall, mail, am]
    escalate:
      - {{after: 6s, receivers: [lead]}}
"""


def spike_update(observed: float, status: str = "firing") -> Signal:
    now = datetime.now(UTC)
    return Signal(
        id="spike-logistics-east",
        type="spike",
        key=KEY,
        status=status,  # type: ignore[arg-type]
        window_start=now - timedelta(minutes=15),
        window_end=now,
        observed=observed,
        expected=6.0,
        score=0.999 if status == "firing" else 0.2,
        statistic="poisson_tail",
        severity=2,
        top_topics=["物流配送", "破损"],
        samples=[Sample(id="e1", text="快递一周没到，电话13812345678没人接", channel="review")],
        detected_at=now,
    )


def send(producer: KafkaProducer, topic: str, *values: bytes) -> None:
    for value in values:
        producer.send(topic, key=b"spike-logistics-east", value=value)
    producer.flush(timeout=30)


def test_spike_to_webhook_email_alertmanager_escalation_restart_and_resolve(
    pipeline: Pipeline,
    tmp_path: Path,
    webhook: RecordingServer,
    mailbox: tuple[Mailbox, int],
    alertmanager: str,
) -> None:
    box, smtp_port = mailbox
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        RULES.format(hook=webhook.url, smtp=smtp_port, am=alertmanager), encoding="utf-8"
    )
    pipeline.env.update(
        {
            "RADAR_ALERTS_RULES_FILE": str(rules_file),
            "RADAR_ALERTS_TICK_S": "0.2",
            "RADAR_ALERTS_GROUP_ID": f"alerts-{pipeline.settings.topic_prefix}",
            "RADAR_ALERTS_RETRY_INITIAL_S": "0.5",
        }
    )
    assert pipeline.radar("alerts", "lint", str(rules_file)).stdout.strip().endswith("ok")
    service = pipeline.start("alerts", "run", name="alerts")
    signals = pipeline.topics.signals
    producer = KafkaProducer(bootstrap_servers=pipeline.bootstrap, acks="all")
    try:
        # the scripted complaint spike: a sustained condition updated several times, plus junk
        send(producer, signals, b"{not json", spike_update(30).to_json())
        for observed in (38, 45, 52, 60):
            time.sleep(0.4)
            send(producer, signals, spike_update(observed).to_json())

        def oncall() -> list[dict[str, Any]]:
            return [r.json() for r in webhook.requests if r.path == "/oncall"]

        pipeline.wait_for(
            lambda: (
                len(oncall()) >= 1 and len(box.mails) >= 1 and len(am_alerts(alertmanager)) >= 1
            ),
            what="the first notifications",
        )
        (first,) = oncall()
        assert first["kind"] == "firing" and first["group_labels"] == {"region": "华东"}
        assert first["lang"] == "zh" and first["title"] == "投诉激增：物流配送 · 华东"
        (alert,) = first["alerts"]
        assert alert["key"] == KEY and alert["expected"] == 6.0 and alert["observed"] >= 30
        assert alert["samples"][0]["text"] == "快递一周没到，电话138****5678没人接"
        incident_id = first["incident"]["id"]
        assert first["incident"]["ack_url"].startswith("http://127.0.0.1:8501/incidents?")
        (mail,) = box.mails
        assert str(mail["Subject"]) == "[Radar] 【严重】告警：投诉激增：物流配送 · 华东"
        text = mail.get_body(("plain",)).get_content()
        assert "，预期 6（得分 0.999，泊松尾概率）" in text and "（北京时间）" in text
        assert "确认：http://" in text
        (am,) = am_alerts(alertmanager)
        assert am["labels"]["alertname"] == "complaint_spike" and am["labels"]["region"] == "华东"
        assert am["labels"]["incident"] == incident_id and am["labels"]["team"] == "cs"

        # nobody acknowledges: the lead hears about it once, 6s after the first message
        pipeline.wait_for(
            lambda: any(r.path == "/lead" for r in webhook.requests),
            timeout=30,
            what="the escalation",
        )
        (escalated,) = [r.json() for r in webhook.requests if r.path == "/lead"]
        assert escalated["kind"] == "escalation" and escalated["incident"]["id"] == incident_id

        # restart mid-incident while the detector keeps firing: nothing is sent twice
        sent_before = (len(webhook.requests), len(box.mails))
        service.terminate()
        service.wait(timeout=30)
        pipeline.start("alerts", "run", name="alerts")
        for observed in (61, 63):
            send(producer, signals, spike_update(observed).to_json())
        group = pipeline.env["RADAR_ALERTS_GROUP_ID"]
        pipeline.wait_for(
            lambda: pipeline.lag(group) == 0,
            timeout=60,
            what="the restarted service to read the new updates",
        )
        time.sleep(3)  # several group intervals and ticks
        assert (len(webhook.requests), len(box.mails)) == sent_before
        assert len(am_alerts(alertmanager)) == 1

        # recovery: back at baseline for resolve_after => resolved, and everyone told hears it
        send(producer, signals, spike_update(5, status="resolved").to_json())
        pipeline.wait_for(
            lambda: (
                [r["kind"] for r in oncall()] == ["firing", "resolved"]
                and len(box.mails) == 2
                and am_alerts(alertmanager) == []
            ),
            timeout=60,
            what="the automatic resolve",
        )
    finally:
        producer.close()

    assert [r.json()["kind"] for r in webhook.requests if r.path == "/lead"] == [
        "escalation",
        "resolved",
    ]
    assert str(box.mails[1]["Subject"]).startswith("[Radar] 【严重】告警恢复：")
    store = Store.from_settings(CoreSettings())
    incident = incidents.get_incident(store, incident_id)
    assert incident.status == "resolved" and incident.resolved_by == "radar"
    entries = incidents.timeline(store, incident_id)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "opened" and "escalated" in kinds and "resolved" in kinds
    assert entries[0].text(Locale()) == "由规则 complaint-spike 开启：投诉激增：物流配送 · 华东"
    assert entries[0].text(Locale("en")) == (
        "opened by rule complaint-spike: Complaint spike: 物流配送 · 华东"
    )
    assert kinds.count("notified") == 8  # firing ×3, escalation ×1, resolved ×4 (all told)
    assert pipeline.report()["incidents"] == {"open": 0}

    published = pipeline.consume("feedback.incidents", 2)
    latest = max((r for r in published if r["id"] == incident_id), key=lambda r: r["version"])
    assert latest["status"] == "resolved"
    assert {r["status"] for r in published} >= {"open", "resolved"}
    letters = pipeline.consume("feedback.deadletter", 1)
    assert [(d["stage"], d["reason"]) for d in letters] == [("alerts", "bad_json")]
