"""IMAP mailbox (review L5): a message is fetched up to max_message_bytes, never whole."""

from __future__ import annotations

from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

from ingest.base import SourceRecord
from ingest.email_imap import EmailSettings, ImapMailbox
from radar.settings import CoreSettings


class FakeImap:
    """Serves one mailbox's messages to FETCH as a server would, partial fetches included."""

    def __init__(self, messages: list[bytes]) -> None:
        self.messages = messages
        self.fetched: list[str] = []

    def select(self, mailbox: str, readonly: bool) -> tuple[str, list[bytes]]:
        return "OK", [b"1"]

    def response(self, name: str) -> tuple[str, list[bytes]]:
        return "OK", [b"7"]

    def uid(self, command: str, *args: str) -> tuple[str, list[Any]]:
        if command == "SEARCH":
            return "OK", [" ".join(str(n + 1) for n in range(len(self.messages))).encode()]
        uids, parts = args
        self.fetched.append(parts)
        limit = int(parts.split("<0.")[1].rstrip(">)")) if "<0." in parts else None
        data: list[Any] = []
        for uid in map(int, uids.split(",")):
            whole = self.messages[uid - 1]
            body = whole[:limit] if limit else whole
            header = f'{uid} (UID {uid} INTERNALDATE "20-Nov-2026 10:00:00 +0800" '
            header += f"RFC822.SIZE {len(whole)} BODY[]<0> {{{len(body)}}}"
            data += [(header.encode(), body), b")"]
        return "OK", data


def big_mail() -> bytes:
    mail = MIMEMultipart()
    mail.attach(MIMEText("发票还没开，请尽快处理。", "plain", "utf-8"))
    mail.attach(MIMEApplication(b"\x00" * 3_000_000, Name="scan.pdf"))
    mail["From"] = "li@example.cn"
    mail["Message-ID"] = "<big@example.cn>"
    return mail.as_bytes()


def test_a_large_message_is_read_up_to_the_limit_text_first() -> None:
    """Before: BODY.PEEK[] fetched 50 whole messages, attachments and all, into memory."""
    server = FakeImap([big_mail()])
    mailbox = ImapMailbox(
        EmailSettings(username="support", max_message_bytes=100_000), CoreSettings()
    )
    [record] = [r for r in mailbox._read(server, {}) if isinstance(r, SourceRecord)]
    assert server.fetched == ["(UID INTERNALDATE RFC822.SIZE BODY.PEEK[]<0.100000>)"]
    assert record.fields["text"] == "发票还没开，请尽快处理。"
    assert record.raw["mime_bytes"] > 4_000_000 and record.raw["cut_at"] == 100_000


def test_a_small_message_is_whole() -> None:
    small = MIMEText("发票还没开", "plain", "utf-8")
    small["From"] = "li@example.cn"
    small["Message-ID"] = "<n1@example.cn>"
    server = FakeImap([small.as_bytes()])
    mailbox = ImapMailbox(EmailSettings(username="support"), CoreSettings())
    [record] = [r for r in mailbox._read(server, {}) if isinstance(r, SourceRecord)]
    assert record.fields["text"] == "发票还没开" and "cut_at" not in record.raw
