"""Email connector against a real Dovecot on loopback and the real broker (STARTTLS and SSL)."""

from __future__ import annotations

import imaplib
import json
import ssl
from collections.abc import Iterator
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import dead_letters, raw_events
from tests.integration.dovecot_server import Dovecot, dovecot

pytestmark = pytest.mark.integration


@pytest.fixture
def imap_server() -> Iterator[Dovecot]:
    with dovecot() as server:
        yield server


def gbk_complaint() -> bytes:
    body = (
        "你好，我买的电饭煲一周就坏了，要求退货。\n联系电话 13912345678。\n\n"
        "-----原始邮件-----\n发件人: service@shop.example\n> 感谢您的购买\n"
    )
    mail = MIMEText(body, "plain", "gbk")
    mail["Subject"] = Header("投诉：电饭煲质量问题", "gb2312").encode()
    mail["From"] = f"{Header('王女士', 'gb2312').encode()} <wang@example.cn>"
    mail["To"] = "support@shop.example"
    mail["Date"] = "Fri, 20 Nov 2026 10:00:00 +0800"
    mail["Message-ID"] = "<c1@example.cn>"
    return mail.as_bytes()


def big5_html() -> bytes:
    html = (
        "<html><body><p>訂單延遲了五天，<b>請盡快處理</b></p><div>發自我的iPhone</div>"
        "</body></html>"
    )
    mail = MIMEText(html, "html", "big5")
    mail["Subject"] = Header("訂單延遲", "big5").encode()
    mail["From"] = "chen@example.tw"
    mail["Date"] = "Fri, 20 Nov 2026 11:00:00 +0800"
    mail["Message-ID"] = "<c2@example.tw>"
    return mail.as_bytes()


def staff_reply() -> bytes:
    mail = MIMEMultipart("alternative")
    mail.attach(MIMEText("您好，已为您办理退货。\n\n-- \n客服部 小美", "plain", "utf-8"))
    mail.attach(MIMEText("<p>您好，已为您办理退货。</p>", "html", "utf-8"))
    mail["Subject"] = "Re: 投诉：电饭煲质量问题"
    mail["Authentication-Results"] = (  # what the shop's receiving server wrote
        "mx.shop.example; dkim=pass header.d=shop.example; dmarc=pass header.from=shop.example"
    )
    mail["From"] = "小美 <service@shop.example>"
    mail["Date"] = "Fri, 20 Nov 2026 15:30:00 +0800"
    mail["Message-ID"] = "<r1@shop.example>"
    mail["In-Reply-To"] = "<c1@example.cn>"
    mail["References"] = "<c1@example.cn>"
    return mail.as_bytes()


def empty_mail() -> bytes:
    return (
        b"From: x@example.com\r\nMessage-ID: <e1@example.com>\r\nSubject: \r\n\r\n"
        b"> only a quote\r\n"
    )


def append(server: Dovecot, *messages: bytes) -> None:
    imap = imaplib.IMAP4(server.host, server.port)
    imap.starttls(ssl.create_default_context(cafile=str(server.cafile)))
    imap.login(server.user, server.password)
    for message in messages:
        status, _ = imap.append("INBOX", None, None, message)
        assert status == "OK"
    imap.logout()


def test_mailbox_over_starttls_then_ssl_with_uid_checkpoint(
    pipeline: Pipeline, imap_server: Dovecot
) -> None:
    append(imap_server, gbk_complaint(), big5_html(), staff_reply(), empty_mail())
    pipeline.env["RADAR_INGEST_EMAIL_PASSWORD"] = imap_server.password
    common = (
        "ingest",
        "email",
        "--host",
        imap_server.host,
        "--username",
        imap_server.user,
        "--ca-file",
        str(imap_server.cafile),
        "--staff-domain",
        "shop.example",
        "--authserv-id",
        "mx.shop.example",
        "--source",
        "support-mailbox",
        "--json",
    )
    starttls = ("--security", "starttls", "--port", str(imap_server.port))
    first = json.loads(pipeline.radar(*common, *starttls).stdout)
    assert first["events"] == 3 and first["deadletters_by_reason"] == {"missing_field": 1}

    mails = {e.external_id: e for e in raw_events(pipeline, 3)}
    complaint = mails["<c1@example.cn>"]
    assert complaint.title == "投诉：电饭煲质量问题"
    assert complaint.text.startswith("你好，我买的电饭煲一周就坏了")
    assert "原始邮件" not in complaint.text and "感谢您的购买" not in complaint.text
    assert "13912345678" not in complaint.text and "139****5678" in complaint.text
    assert complaint.created_at.isoformat() == "2026-11-20T02:00:00+00:00"
    assert not complaint.is_staff_reply and complaint.thread_id == "<c1@example.cn>"
    big5 = mails["<c2@example.tw>"]
    assert big5.title == "訂單延遲" and "請盡快處理" in big5.text and "iPhone" not in big5.text
    reply = mails["<r1@shop.example>"]
    assert reply.is_staff_reply and reply.reply_to == "<c1@example.cn>"
    assert reply.thread_id == "<c1@example.cn>" and reply.text == "您好，已为您办理退货。"
    assert reply.attributes["uid"] == 3
    [letter] = dead_letters(pipeline, 1)
    assert letter.locator == "INBOX:uid:4" and letter.reason == "missing_field"

    ssl_mode = ("--security", "ssl", "--port", str(imap_server.ssl_port))
    again = json.loads(pipeline.radar(*common, *ssl_mode).stdout)
    assert again["records"] == 0  # UID checkpoint: nothing new
    followup = MIMEText("还没收到退款", "plain", "utf-8")
    followup["From"] = "wang@example.cn"
    followup["Message-ID"] = "<c3@example.cn>"
    followup["In-Reply-To"] = "<r1@shop.example>"
    followup["References"] = "<c1@example.cn> <r1@shop.example>"
    forged = MIMEText("问题已解决，无需再跟进。", "plain", "utf-8")
    forged["From"] = "小美 <service@shop.example>"  # a customer writing a staff address
    forged["Message-ID"] = "<f1@example.cn>"
    forged["In-Reply-To"] = "<c3@example.cn>"
    append(imap_server, followup.as_bytes(), forged.as_bytes())
    last = json.loads(pipeline.radar(*common, *ssl_mode).stdout)
    assert last["events"] == 2
    newest = {e.external_id: e for e in raw_events(pipeline, 5)}
    assert newest["<c3@example.cn>"].thread_id == "<c1@example.cn>"
    assert newest["<c3@example.cn>"].reply_to == "<r1@shop.example>"
    assert not newest["<f1@example.cn>"].is_staff_reply  # no server vouched for it (review L5)


def test_unreachable_mailbox_fails_with_a_clear_message(pipeline: Pipeline) -> None:
    from tests.integration.conftest import free_port

    pipeline.env["RADAR_INGEST_EMAIL_PASSWORD"] = "x"
    result = pipeline.radar(
        "ingest",
        "email",
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        "--security",
        "plain",
        "--username",
        "u",
        "--quiet",
        check=False,
    )
    assert result.returncode == 1 and "IMAP 127.0.0.1" in result.stderr
    beats = pipeline.consume("feedback.heartbeats", 1, timeout=10)
    assert beats[-1]["status"] == "down"
