"""Digests sent for real: email to an SMTP server (aiosmtpd) with the charts inline, DingTalk,
WeCom and Feishu robots and a webhook on loopback HTTP servers, ``radar digest --now``, and the
schedule of ``radar digest run`` (once per period, retries, catch-up, retention)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from prometheus_client import REGISTRY

from alerts.config import RulesConfig
from alerts.digest_cli import digest as digest_command
from alerts.digest_schedule import DigestService, DigestSettings, When
from alerts.digest_send import send_digest
from alerts.notifiers.base import NotifyFailed
from radar.clock import ManualClock
from radar.i18n import Locale
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.digests import find_attempt
from radar.store.rollups import ResponseSla
from radar.store.tables import events
from tests.ports import free_port
from tests.unit.alerts.conftest import RecordingServer, rules
from tests.unit.alerts.test_digest import daily, yesterday_events

PNG = b"\x89PNG\r\n\x1a\n"


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def rules_text(smtp_port: int, http: str) -> str:
    return f"""
receivers:
  - name: managers-email
    email: {{to: [head@shop.example], from: radar@shop.example, host: 127.0.0.1, port: {smtp_port}}}
  - name: oncall-dingtalk
    dingtalk: {{url: "{http}/robot/send?access_token=T", secret: SECdingtalk}}
  - name: managers-wecom
    wecom: {{url: "{http}/cgi-bin/webhook/send?key=K"}}
  - name: product-feishu
    feishu: {{url: "{http}/open-apis/bot/v2/hook/H", secret: feishu-secret}}
  - name: tickets
    webhook: {{url: "{http}/hooks/radar", secret: webhook-secret}}
  - name: ops-alertmanager
    alertmanager: {{url: "{http}"}}
rules:
  - name: all
    match: {{}}
    receivers: [managers-email]
"""


@pytest.fixture
def config(smtp: tuple[Mailbox, int], http_server: RecordingServer) -> RulesConfig:
    return rules(rules_text(smtp[1], http_server.url))


@pytest.fixture
def seeded(isolated_settings: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Yesterday's feedback on SQLite and on a real PostgreSQL (the send log lives there too)."""
    monkeypatch.setenv("RADAR_STORE_URL", store_url)
    store = Store.from_settings(CoreSettings())
    store.add_scored(yesterday_events(datetime.now(UTC)))
    return store


class TestChannels:
    def test_email_with_the_charts_inline(
        self, seeded: Store, config: RulesConfig, smtp: tuple[Mailbox, int]
    ) -> None:
        built = daily(seeded, datetime.now(UTC))
        answer = send_digest(built, "managers-email", config.receiver("managers-email").config)
        assert answer == "sent to 1 recipients"
        (mail,) = smtp[0].mails
        assert mail["Subject"] == f"[Radar] {built.title}"
        assert "【日报】" in mail["Subject"]
        html = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_content()
        images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
        cids = set(re.findall(r'src="cid:([^"]+)"', html))
        assert len(images) == len(built.charts) == len(cids) == 3
        assert {i["Content-ID"].strip("<>") for i in images} == cids
        assert all(i.get_content().startswith(PNG) for i in images)
        assert "投诉率" in html and "<script" not in html

    def test_robots_get_markdown_and_wecom_the_charts(
        self, seeded: Store, config: RulesConfig, http_server: RecordingServer
    ) -> None:
        built = daily(seeded, datetime.now(UTC))
        for name in ("oncall-dingtalk", "managers-wecom", "product-feishu"):
            send_digest(built, name, config.receiver(name).config)
        ding, wecom_text, *wecom_images, feishu = http_server.requests
        assert "timestamp=" in ding.path and "sign=" in ding.path  # 加签
        assert ding.json()["markdown"]["text"].startswith(f"### {built.title[:2]}")
        assert wecom_text.json()["msgtype"] == "markdown"
        assert len(wecom_images) == len(built.charts)
        for sent, chart in zip(wecom_images, built.charts, strict=True):
            image = sent.json()["image"]
            assert base64.b64decode(image["base64"]) == chart.png
            assert image["md5"] == hashlib.md5(chart.png).hexdigest()
        card = feishu.json()
        assert card["msg_type"] == "interactive" and card["sign"] and card["timestamp"]
        assert card["card"]["header"]["title"]["content"] == built.title

    def test_a_webhook_gets_the_digest_signed(
        self, seeded: Store, config: RulesConfig, http_server: RecordingServer
    ) -> None:
        import hmac

        built = daily(seeded, datetime.now(UTC))
        send_digest(built, "tickets", config.receiver("tickets").config)
        (sent,) = http_server.requests
        body = sent.json()
        assert body["type"] == "digest" and body["kind"] == "daily"
        assert len(body["charts"]) == 3
        expected = hmac.new(b"webhook-secret", sent.body, hashlib.sha256).hexdigest()
        assert sent.headers["X-Radar-Signature"] == f"sha256={expected}"
        assert sent.headers["Idempotency-Key"] == built.id

    def test_a_robot_refusing_is_a_failure_and_alertmanager_is_not_a_reader(
        self, seeded: Store, config: RulesConfig, http_server: RecordingServer
    ) -> None:
        built = daily(seeded, datetime.now(UTC))
        http_server.script = [(200, b'{"errcode": 310000, "errmsg": "keywords not in content"}')]
        with pytest.raises(NotifyFailed, match="310000") as failed:
            send_digest(built, "oncall-dingtalk", config.receiver("oncall-dingtalk").config)
        assert not failed.value.retryable
        with pytest.raises(NotifyFailed, match="Alertmanager"):
            send_digest(built, "ops-alertmanager", config.receiver("ops-alertmanager").config)


class TestCommand:
    def test_radar_digest_now(
        self,
        seeded: Store,
        smtp: tuple[Mailbox, int],
        http_server: RecordingServer,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        path = tmp_path / "rules.yaml"
        path.write_text(rules_text(smtp[1], http_server.url), encoding="utf-8")
        monkeypatch.setenv("RADAR_ALERTS_RULES_FILE", str(path))
        runner = CliRunner()
        args = ["--now", "--to", "managers-email", "--to", "managers-wecom", "--out", "preview"]
        with runner.isolated_filesystem(temp_dir=tmp_path):
            result = runner.invoke(digest_command, args)
            assert result.exit_code == 0, result.output
            assert Path("preview/index.html").is_file()
        assert "已发送 日报 到 managers-email" in result.output
        assert len(smtp[0].mails) == 1 and http_server.requests
        weekly = runner.invoke(
            digest_command, ["--now", "--kind", "weekly", "--to", "managers-email"]
        )
        assert weekly.exit_code == 0, weekly.output
        assert "【周报】" in smtp[0].mails[-1]["Subject"]
        unknown = runner.invoke(digest_command, ["--now", "--to", "nobody"])
        assert unknown.exit_code == 2 and "managers-email" in unknown.output
        nowhere = runner.invoke(digest_command, ["--now"])
        assert nowhere.exit_code == 2


class TestSchedule:
    @pytest.mark.parametrize(
        ("spec", "weekly", "now", "expected"),
        [
            ("08:30", False, "2026-12-07T08:29+08:00", "2026-12-06T08:30+08:00"),
            ("08:30", False, "2026-12-07T08:30+08:00", "2026-12-07T08:30+08:00"),
            ("mon 09:00", True, "2026-12-07T10:00+08:00", "2026-12-07T09:00+08:00"),  # a Monday
            ("mon 09:00", True, "2026-12-07T08:00+08:00", "2026-11-30T09:00+08:00"),
        ],
    )
    def test_the_latest_due_instant(self, spec: str, weekly: bool, now: str, expected: str) -> None:
        due = When.parse(spec, weekly).latest(datetime.fromisoformat(now), "Asia/Shanghai")
        assert due == datetime.fromisoformat(expected)

    @pytest.mark.parametrize(
        ("spec", "weekly"), [("8.30", False), ("25:00", False), ("09:00", True)]
    )
    def test_bad_schedules_are_named(self, spec: str, weekly: bool) -> None:
        with pytest.raises(ValueError, match=re.escape(repr(spec))):
            When.parse(spec, weekly)

    def test_sent_once_per_period_retried_then_given_up(
        self, seeded: Store, config: RulesConfig, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RADAR_RETENTION_DAYS", "400")
        due = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # 08:30 in Beijing
        clock = ManualClock(due - timedelta(minutes=5))
        sent: list[tuple[str, str]] = []
        failures = {"oncall-dingtalk": 10}

        def send(digest: Any, name: str, receiver: Any, **_: Any) -> str:
            if failures.get(name, 0) > 0:
                failures[name] -= 1
                raise NotifyFailed("robot busy", retryable=True)
            sent.append((digest.kind, name))
            return "ok"

        settings = DigestSettings(
            daily_to=["managers-email", "oncall-dingtalk"],
            weekly_to=["product-feishu"],
            weekly_at="mon 08:30",
            retry_minutes=10,
            max_attempts=3,
        )
        service = DigestService(
            seeded,
            config,
            core=CoreSettings(),
            settings=settings,
            sla=ResponseSla(6.0),
            clock=clock,
            send=send,
        )
        service.tick()  # 08:25: yesterday's 08:30 digest was missed by more than 12 h
        assert sent == []
        clock.set(due)
        before = {
            (kind, outcome): REGISTRY.get_sample_value(
                "radar_digest_sends_total", {"kind": kind, "outcome": outcome}
            )
            or 0.0
            for kind in ("daily", "weekly")
            for outcome in ("sent", "failed")
        }
        service.tick()  # 08:30 on a Monday: both digests are due
        assert sorted(sent) == [("daily", "managers-email"), ("weekly", "product-feishu")]
        counted = {
            key: (
                REGISTRY.get_sample_value(
                    "radar_digest_sends_total", {"kind": key[0], "outcome": key[1]}
                )
                or 0.0
            )
            - value
            for key, value in before.items()
        }
        assert counted == {
            ("daily", "sent"): 1,
            ("daily", "failed"): 1,
            ("weekly", "sent"): 1,
            ("weekly", "failed"): 0,
        }
        clock.advance(timedelta(minutes=5))
        service.tick()
        assert len(sent) == 2  # nothing twice, the failed one not before its retry time
        for _ in range(3):
            clock.advance(timedelta(minutes=11))
            service.tick()
        attempt = find_attempt(seeded, "daily", due, "oncall-dingtalk")
        assert attempt is not None and (attempt.status, attempt.attempts) == ("failed", 3)
        assert len(sent) == 2  # given up after max_attempts
        # a restart sends nothing again
        again = DigestService(
            seeded,
            config,
            core=CoreSettings(),
            settings=settings,
            sla=ResponseSla(6.0),
            clock=clock,
            send=send,
        )
        again.tick()
        assert len(sent) == 2

    def test_a_misspelt_receiver_fails_at_start(self, seeded: Store, config: RulesConfig) -> None:
        with pytest.raises(KeyError, match="managers-mail"):
            DigestService(
                seeded,
                config,
                core=CoreSettings(),
                settings=DigestSettings(daily_to=["managers-mail"]),
                sla=ResponseSla(6.0),
            )

    def test_retention_applied_once_a_day(
        self, seeded: Store, config: RulesConfig, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RADAR_RETENTION_DAYS", "1")
        clock = ManualClock(datetime.now(UTC) + timedelta(days=3))
        service = DigestService(
            seeded,
            config,
            core=CoreSettings(),
            settings=DigestSettings(),
            sla=ResponseSla(6.0),
            clock=clock,
        )
        redacted = REGISTRY.get_sample_value("radar_retention_events_redacted_total") or 0.0
        service.tick()
        from sqlalchemy import select

        with seeded.engine.connect() as conn:
            texts = list(conn.execute(select(events.c.text)).scalars())
        assert set(texts) == {""}  # every text older than a day emptied; the rows stay
        # /metrics of `radar digest run` (its compose health check) tell when and how much
        now = clock.now().timestamp()
        assert REGISTRY.get_sample_value("radar_retention_last_prune_timestamp_seconds") == now
        assert REGISTRY.get_sample_value("radar_digest_last_tick_timestamp_seconds") == now
        after = REGISTRY.get_sample_value("radar_retention_events_redacted_total")
        assert after == redacted + len(texts)
        assert json.dumps(Locale.of("zh").t("digest.kind.daily"), ensure_ascii=False) == '"日报"'
