"""Notifiers against real servers on loopback: payload formats, signing, and which failures
are worth retrying."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from alerts.evidence import alert_view
from alerts.message import IncidentView, Message
from alerts.model import Alert
from alerts.notifiers import NotifyFailed
from alerts.notifiers.alertmanager import AlertmanagerConfig, AlertmanagerNotifier
from alerts.notifiers.dingtalk import DingTalkConfig, DingTalkNotifier
from alerts.notifiers.email import EmailConfig, EmailNotifier
from alerts.notifiers.feishu import FeishuConfig, FeishuNotifier
from alerts.notifiers.slack import SlackConfig, SlackNotifier
from alerts.notifiers.webhook import SIGNATURE_HEADER, WebhookConfig, WebhookNotifier
from alerts.notifiers.wecom import MAX_BYTES, WeComConfig, WeComNotifier
from radar.clock import ManualClock
from tests.ports import free_port
from tests.unit.alerts.conftest import Received, RecordingServer, make_signal

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def message() -> Message:
    signal = make_signal("sig-1", at=NOW, samples=("快递三天没动，电话 13812345678", "包装破损"))
    alert = Alert(
        fingerprint="fp1",
        group_key="g1",
        rule="logistics-spike",
        labels={
            "alertname": "logistics-spike",
            "type": "spike",
            "region": "华东",
            "topic": "物流配送",
            "severity": "major",
        },
        severity=2,
        status="firing",
        starts_at=NOW,
        updated_at=NOW,
        signal=signal,
    )
    return Message(
        id="n-123",
        kind="firing",
        status="firing",
        receiver="oncall",
        group_key="g1",
        group_labels={"region": "华东"},
        rule="logistics-spike",
        rule_description="Delivery complaints far above normal",
        title="物流投诉激增: 华东",
        severity=2,
        incident=IncidentView(
            id="INC-20261120-abc123",
            title="物流投诉激增: 华东",
            status="open",
            type="spike",
            opened_at=NOW,
            url="http://dash/incidents?incident=I",
            ack_url="http://dash/ack?token=t1",
            resolve_url="http://dash/res?token=t2",
        ),
        alerts=[alert_view(alert)],
        created_at=NOW,
    )


def answer(body: dict[str, Any], status: int = 200) -> tuple[int, bytes]:
    return status, json.dumps(body).encode()


class TestWebhook:
    def test_posts_the_message_signed(self, http_server: RecordingServer, message: Message) -> None:
        config = WebhookConfig(
            url=f"{http_server.url}/hook", headers={"X-Team": "cs"}, secret="s3cret"
        )
        assert WebhookNotifier("oncall", config).send(message) == "HTTP 200"
        (got,) = http_server.requests
        body = got.json()
        assert body["version"] == "1" and body["id"] == "n-123" and body["kind"] == "firing"
        alert = body["alerts"][0]
        assert alert["observed"] == 40 and alert["expected"] == 5 and alert["top_topics"]
        assert "13812345678" not in got.body.decode() and "138****5678" in got.body.decode()
        assert got.headers["Idempotency-Key"] == "n-123" and got.headers["X-Team"] == "cs"
        expected = "sha256=" + hmac.new(b"s3cret", got.body, hashlib.sha256).hexdigest()
        assert got.headers[SIGNATURE_HEADER] == expected
        assert body["incident"]["ack_url"].startswith("http://dash/ack")

    @pytest.mark.parametrize(
        ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (404, False)]
    )
    def test_http_errors_say_whether_to_retry(
        self, http_server: RecordingServer, message: Message, status: int, retryable: bool
    ) -> None:
        http_server.default = (status, b"nope")
        with pytest.raises(NotifyFailed) as caught:
            WebhookNotifier("oncall", WebhookConfig(url=http_server.url)).send(message)
        assert caught.value.retryable is retryable and str(status) in str(caught.value)

    def test_nobody_listening_is_retryable(self, message: Message) -> None:
        port = free_port()
        notifier = WebhookNotifier(
            "oncall", WebhookConfig(url=f"http://127.0.0.1:{port}/x"), timeout=2
        )
        with pytest.raises(NotifyFailed, match="cannot connect") as caught:
            notifier.send(message)
        assert caught.value.retryable


class TestDingTalk:
    def test_signed_markdown(self, http_server: RecordingServer, message: Message) -> None:
        secret = "SECabc123"

        def verify(got: Received) -> tuple[int, bytes] | None:
            query = parse_qs(urlsplit(got.path).query)
            stamp = query["timestamp"][0]
            digest = hmac.new(
                secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256
            ).digest()
            ok = query["sign"][0] == base64.b64encode(digest).decode() and query[
                "access_token"
            ] == ["T"]
            return answer({"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign"})

        http_server.check = verify
        clock = ManualClock(NOW)
        config = DingTalkConfig(url=f"{http_server.url}/robot/send?access_token=T", secret=secret)
        assert DingTalkNotifier("ding", config, clock=clock).send(message) == "errcode 0"
        (got,) = http_server.requests
        assert parse_qs(urlsplit(got.path).query)["timestamp"] == [str(int(NOW.timestamp() * 1000))]
        body = got.json()
        assert body["msgtype"] == "markdown"
        assert body["markdown"]["title"].startswith("【严重】告警：")  # a Chinese keyword: 告警
        text = body["markdown"]["text"]
        assert "观测 40，预期 5" in text and "[确认](http://dash/ack?token=t1)" in text
        assert "开始于 2026-11-20 10:00（北京时间）" in text

    def test_english_when_asked(self, http_server: RecordingServer, message: Message) -> None:
        english = message.model_copy(update={"lang": "en"})
        DingTalkNotifier("ding", DingTalkConfig(url=http_server.url)).send(english)
        text = http_server.requests[0].json()["markdown"]["text"]
        assert text.startswith("### [MAJOR] FIRING: ")
        assert "observed 40 vs expected 5" in text and "[Acknowledge](http://dash/ack" in text
        assert "opened 2026-11-20 10:00 (Beijing time)" in text

    @pytest.mark.parametrize(("code", "retryable"), [(310000, False), (130101, True), (-1, True)])
    def test_errcodes(
        self, http_server: RecordingServer, message: Message, code: int, retryable: bool
    ) -> None:
        http_server.default = answer({"errcode": code, "errmsg": "x"})
        with pytest.raises(NotifyFailed) as caught:
            DingTalkNotifier("ding", DingTalkConfig(url=http_server.url)).send(message)
        assert caught.value.retryable is retryable
        assert "?" not in http_server.requests[0].path  # no secret: no signing parameters


class TestWeCom:
    def test_markdown_cut_to_the_limit(
        self, http_server: RecordingServer, message: Message
    ) -> None:
        long = message.model_copy(update={"note": "很长" * 3000})
        assert WeComNotifier("wecom", WeComConfig(url=f"{http_server.url}/send?key=K")).send(long)
        content = http_server.requests[0].json()["markdown"]["content"]
        assert len(content.encode()) <= MAX_BYTES and content.endswith("…")

    def test_rate_limit_is_retryable(self, http_server: RecordingServer, message: Message) -> None:
        http_server.script = [
            answer({"errcode": 45009, "errmsg": "freq"}),
            answer({"errcode": 93000, "errmsg": "invalid webhook url"}),
        ]
        notifier = WeComNotifier("wecom", WeComConfig(url=http_server.url))
        with pytest.raises(NotifyFailed) as first:
            notifier.send(message)
        with pytest.raises(NotifyFailed) as second:
            notifier.send(message)
        assert first.value.retryable and not second.value.retryable


class TestFeishu:
    def test_signed_card(self, http_server: RecordingServer, message: Message) -> None:
        secret = "fs-secret"

        def verify(got: Received) -> tuple[int, bytes] | None:
            body = got.json()
            key = f"{body['timestamp']}\n{secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            return answer({"code": 0 if body["sign"] == expected else 19021, "msg": "x"})

        http_server.check = verify
        config = FeishuConfig(url=http_server.url, secret=secret)
        assert FeishuNotifier("fs", config, clock=ManualClock(NOW)).send(message) == "code 0"
        body = http_server.requests[0].json()
        assert body["timestamp"] == str(int(NOW.timestamp())) and body["msg_type"] == "interactive"
        assert body["card"]["header"]["template"] == "orange"
        assert "物流投诉激增" in body["card"]["header"]["title"]["content"]

    def test_bad_signature_is_not_retried(
        self, http_server: RecordingServer, message: Message
    ) -> None:
        http_server.default = answer({"code": 19021, "msg": "sign match fail"})
        with pytest.raises(NotifyFailed, match="19021") as caught:
            FeishuNotifier("fs", FeishuConfig(url=http_server.url, secret="x")).send(message)
        assert not caught.value.retryable


class TestSlack:
    def test_blocks_in_mrkdwn(self, http_server: RecordingServer, message: Message) -> None:
        http_server.default = (200, b"ok")
        SlackNotifier("slack", SlackConfig(url=http_server.url)).send(message)
        body = http_server.requests[0].json()
        assert body["text"].startswith("【严重】告警：")
        section = body["blocks"][1]["text"]["text"]
        assert "<http://dash/ack?token=t1|确认>" in section and "• 窗口 2026-11-20 09:45" in section
        SlackNotifier("slack", SlackConfig(url=http_server.url)).send(
            message.model_copy(update={"lang": "en"})
        )
        english = http_server.requests[1].json()
        assert english["text"].startswith("[MAJOR] FIRING")
        section = english["blocks"][1]["text"]["text"]
        assert "<http://dash/ack?token=t1|Acknowledge>" in section and "• window" in section

    def test_no_service_is_not_retried(
        self, http_server: RecordingServer, message: Message
    ) -> None:
        http_server.default = (404, b"no_service")
        with pytest.raises(NotifyFailed, match="no_service") as caught:
            SlackNotifier("slack", SlackConfig(url=http_server.url)).send(message)
        assert not caught.value.retryable


class SmtpHandler:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.reply: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpHandler, int]]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


class TestEmail:
    def test_text_and_html(self, smtp: tuple[SmtpHandler, int], message: Message) -> None:
        handler, port = smtp
        config = EmailConfig.model_validate(
            {"to": ["oncall@shop.example"], "from": "radar@shop.example", "port": port}
        )
        EmailNotifier("mail", config).send(message)
        (mail,) = handler.mails
        assert mail["Subject"] == "[Radar] 【严重】告警：物流投诉激增: 华东"
        assert mail["X-Radar-Notification"] == "n-123" and "n-123" in mail["Message-ID"]
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        assert "观测 40，预期 5" in text and "确认：http://dash/ack?token=t1" in text
        assert "开始于 2026-11-20 10:00（北京时间）" in text
        assert '<a href="http://dash/ack?token=t1">确认</a>' in html and 'lang="zh"' in html
        assert "138****5678" in text and "13812345678" not in text

    def test_a_line_break_in_a_title_is_sent_on_one_line(
        self, smtp: tuple[SmtpHandler, int], message: Message
    ) -> None:
        """A region holding CR/LF made the subject a ValueError: the alert failed for good."""
        handler, port = smtp
        config = EmailConfig.model_validate(
            {"to": ["oncall@shop.example"], "from": "radar@shop.example", "port": port}
        )
        hostile = message.model_copy(
            update={"title": "物流投诉激增: 华东\r\nBcc: all@shop.example"}
        )
        EmailNotifier("mail", config).send(hostile)
        (mail,) = handler.mails
        assert mail["Subject"] == "[Radar] 【严重】告警：物流投诉激增: 华东 Bcc: all@shop.example"
        assert mail["Bcc"] is None

    def test_a_password_goes_only_over_tls_or_to_this_machine(self) -> None:
        login = {
            "to": ["oncall@shop.example"],
            "from": "radar@shop.example",
            "host": "smtp.shop.example",
            "username": "radar",
            "password": "pw",
        }
        with pytest.raises(ValidationError, match="starttls: true"):
            EmailConfig.model_validate(login)
        for safe in ({"starttls": True}, {"tls": True}, {"host": "127.0.0.1"}, {"username": None}):
            EmailConfig.model_validate({**login, **safe})

    def test_english_and_another_time_zone(
        self, smtp: tuple[SmtpHandler, int], message: Message
    ) -> None:
        handler, port = smtp
        config = EmailConfig.model_validate(
            {"to": ["oncall@shop.example"], "from": "radar@shop.example", "port": port}
        )
        tokyo = message.model_copy(update={"lang": "en", "timezone": "Asia/Tokyo"})
        EmailNotifier("mail", config).send(tokyo)
        (mail,) = handler.mails
        assert mail["Subject"] == "[Radar] [MAJOR] FIRING: 物流投诉激增: 华东"
        text = mail.get_body(("plain",)).get_content()
        assert "observed 40 vs expected 5" in text and "Acknowledge: http://dash/ack" in text
        assert "opened 2026-11-20 11:00 (UTC+09:00 Asia/Tokyo)" in text

    @pytest.mark.parametrize(
        ("reply", "retryable"), [("451 try later", True), ("554 rejected", False)]
    )
    def test_smtp_codes(
        self, smtp: tuple[SmtpHandler, int], message: Message, reply: str, retryable: bool
    ) -> None:
        handler, port = smtp
        handler.reply = reply
        config = EmailConfig.model_validate(
            {"to": ["a@b.example"], "from": "r@b.example", "port": port}
        )
        with pytest.raises(NotifyFailed, match=reply.split()[0]) as caught:
            EmailNotifier("mail", config).send(message)
        assert caught.value.retryable is retryable


class TestAlertmanagerPayload:
    def test_alerts_with_valid_labels_and_end_times(
        self, http_server: RecordingServer, message: Message
    ) -> None:
        clock = ManualClock(NOW)
        config = AlertmanagerConfig(url=http_server.url, labels={"team-name": "cs"})
        AlertmanagerNotifier("am", config, clock=clock).send(message)
        got = http_server.requests[0]
        assert got.path == "/api/v2/alerts"
        (alert,) = got.json()
        assert alert["labels"]["alertname"] == "logistics_spike"
        assert alert["labels"]["team_name"] == "cs" and alert["labels"]["region"] == "华东"
        assert alert["labels"]["incident"] == "INC-20261120-abc123"
        assert alert["endsAt"].startswith("2026-11-21T02:00")  # now + 24h ttl
        resolved = message.model_copy(update={"kind": "resolved", "status": "resolved"})
        AlertmanagerNotifier("am", config, clock=clock).send(resolved)
        assert http_server.requests[1].json()[0]["endsAt"] == NOW.isoformat()
        assert "快递三天没动" in unquote_plus(json.dumps(alert["annotations"], ensure_ascii=False))
        assert alert["annotations"]["description"].startswith("观测 40，预期 5")
