"""Connectors: customer email from an IMAP mailbox (SSL or STARTTLS), checkpointed by UID.

Each poll logs in, opens the mailbox read-only (nothing is marked as read),
and fetches the messages whose UID is above the checkpoint. A changed
UIDVALIDITY means the server renumbered the mailbox: it is read again from the
start, and the stable ids (from Message-ID) keep that from double counting.
Mails from staff addresses or domains are the shop's replies
(``is_staff_reply``), linked by In-Reply-To / References, but only when the
shop's receiving server vouches for the sender (its Authentication-Results,
``authserv_id``): anyone can write a staff address into From, and a forged
reply would close a complaint's wait and hide it from crisis detection.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from ingest.base import Position, PullConnector, SourceRecord, SourceUnavailable, State, bad_record
from ingest.emitter import make_normaliser
from ingest.mailauth import vouched_for
from ingest.mailtext import MailFacts, read_mail
from ingest.settings import ConnectorSettings
from radar.errors import ConfigError
from radar.events import stable_id
from radar.settings import CoreSettings, settings_config

_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class EmailSettings(ConnectorSettings):
    """``radar ingest email`` (``RADAR_INGEST_EMAIL_*``)."""

    model_config = settings_config("INGEST_EMAIL_")
    yaml_section: ClassVar[str | None] = "ingest_email"

    host: str = Field("127.0.0.1", description="IMAP server")
    port: int = Field(993, ge=1, le=65535, description="993 for ssl, 143 for starttls")
    security: Literal["ssl", "starttls", "plain"] = Field(
        "ssl", description="ssl (IMAPS), starttls (upgrade on 143) or plain (loopback only)"
    )
    username: str = Field("", description="Mailbox login")
    password: SecretStr = Field(SecretStr(""), description="Mailbox password or app token")
    mailbox: str = Field("INBOX", description="Folder to read")
    ca_file: Path | None = Field(None, description="CA bundle for a private server certificate")
    staff_addresses: list[str] = Field(default_factory=list, description="Staff mail addresses")
    staff_domains: list[str] = Field(default_factory=list, description="Staff mail domains")
    authserv_id: str = Field(
        "",
        description="The authserv-id your receiving mail server writes in Authentication-Results "
        "(e.g. mx.shop.example): a mail from staff is a reply only when that server's DKIM or "
        "DMARC check passed for its From domain",
    )
    fetch_batch: int = Field(50, ge=1, le=1000, description="Messages fetched per request")
    max_message_bytes: int = Field(
        1_000_000,
        ge=65_536,
        description="Bytes of a message fetched at most: a larger one is read up to here "
        "(its headers and text come first; attachments are cut)",
    )
    timeout_s: float = Field(60.0, gt=0, description="Network timeout")
    poll_interval_s: float = Field(60.0, gt=0, description="Wait between two polls (--follow)")


def _uid_of(header: bytes) -> int | None:
    found = _UID.search(header)
    return int(found.group(1)) if found else None


def _size_of(header: bytes) -> int | None:
    found = _SIZE.search(header)
    return int(found.group(1)) if found else None


def _internal_date(header: bytes) -> str | None:
    parsed = imaplib.Internaldate2tuple(header)
    if parsed is None:
        return None
    import time

    return datetime.fromtimestamp(time.mktime(parsed), tz=UTC).isoformat()


class ImapMailbox(PullConnector):
    """Reads new messages of one mailbox; the checkpoint is (UIDVALIDITY, last UID)."""

    name = "email"

    def __init__(self, settings: EmailSettings, core: CoreSettings) -> None:
        if not settings.username:
            msg = "no mailbox login; set RADAR_INGEST_EMAIL_USERNAME and _PASSWORD"
            raise ConfigError(msg)
        self.settings = settings
        self.channel = "email"
        self.source = settings.source or (f"{settings.username}@{settings.host}/{settings.mailbox}")
        self.normaliser = make_normaliser("email", self.source, core, settings)
        self.staff = {a.strip().lower() for a in settings.staff_addresses}
        self.staff_domains = {d.strip().lower().lstrip("@") for d in settings.staff_domains}
        if (self.staff or self.staff_domains) and not settings.authserv_id.strip():
            msg = (
                "staff_addresses and staff_domains need RADAR_INGEST_EMAIL_AUTHSERV_ID: anyone "
                "can put a staff address in From, so a mail is a staff reply only when your "
                "receiving server's Authentication-Results (that authserv-id) passed DKIM or "
                "DMARC for it"
            )
            raise ConfigError(msg)

    def _context(self) -> ssl.SSLContext:
        cafile = str(self.settings.ca_file) if self.settings.ca_file else None
        return ssl.create_default_context(cafile=cafile)

    def connect(self) -> imaplib.IMAP4:
        s = self.settings
        try:
            if s.security == "ssl":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    s.host, s.port, ssl_context=self._context(), timeout=s.timeout_s
                )
            else:
                imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout_s)
                if s.security == "starttls":
                    imap.starttls(self._context())
            imap.login(s.username, s.password.get_secret_value())
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            msg = f"IMAP {s.host}:{s.port} ({s.security}) as {s.username}: {exc}"
            raise SourceUnavailable(msg) from exc
        return imap

    def read(self, state: State) -> Iterator[SourceRecord | Position]:
        imap = self.connect()
        try:
            yield from self._read(imap, state)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SourceUnavailable(f"IMAP {self.settings.host}: {exc}") from exc
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                imap.logout()

    def _read(self, imap: imaplib.IMAP4, state: State) -> Iterator[SourceRecord | Position]:
        status, _ = imap.select(_quote(self.settings.mailbox), readonly=True)
        if status != "OK":
            raise SourceUnavailable(f"mailbox {self.settings.mailbox!r} cannot be opened")
        _, values = imap.response("UIDVALIDITY")
        validity = int(values[0]) if values and values[0] else 0
        last = int(state.get("last_uid") or 0) if state.get("uidvalidity") == validity else 0
        if state.get("uidvalidity") != validity:
            yield Position({"uidvalidity": validity, "last_uid": 0})
        status, found = imap.uid("SEARCH", "UID", f"{last + 1}:*")
        uids = sorted(int(u) for u in (found[0] or b"").split() if int(u) > last)
        # at most max_message_bytes of each message: anyone can mail the support box, and
        # a batch of whole messages with large attachments would all be held in memory
        parts = f"(UID INTERNALDATE RFC822.SIZE BODY.PEEK[]<0.{self.settings.max_message_bytes}>)"
        for start in range(0, len(uids), self.settings.fetch_batch):
            chunk = uids[start : start + self.settings.fetch_batch]
            status, data = imap.uid("FETCH", ",".join(map(str, chunk)), parts)
            for item in data:
                if not isinstance(item, tuple):
                    continue
                header, body = item
                uid = _uid_of(header)
                if uid is None:
                    continue
                position = {"uidvalidity": validity, "last_uid": uid}
                size = _size_of(header) or len(body)
                yield self._record(uid, body, _internal_date(header), position, size)

    def _record(
        self,
        uid: int,
        raw: bytes,
        received: str | None,
        position: dict[str, Any],
        size: int | None = None,
    ) -> SourceRecord:
        locator = f"{self.settings.mailbox}:uid:{uid}"
        try:
            mail = read_mail(raw)
        except Exception as exc:  # a malformed message is a dead letter, not a stop
            return bad_record(
                locator, raw, f"unreadable MIME message: {exc}", "bad_mime", position=position
            )
        staff = self.is_staff(mail)
        thread = mail.references[0] if mail.references else (mail.in_reply_to or mail.message_id)
        fields: dict[str, Any] = {
            "external_id": mail.message_id or f"uid-{stable_id(str(uid), raw.hex()[:4096])}",
            "title": mail.subject or None,
            "text": mail.text,
            "author": mail.from_address or mail.from_name or None,
            "created_at": mail.date or received,
            "thread_id": thread,
            "reply_to": mail.in_reply_to,
            "is_staff_reply": staff,
            "uid": uid,
        }
        present = {k: v for k, v in fields.items() if v is not None}
        # a dead letter keeps what was read, not the MIME: base64 parts would hide personal
        # data from masking, and attachments can pass Kafka's record size
        size = max(size or 0, len(raw))
        kept = {**present, "mime_bytes": size, **({"cut_at": len(raw)} if size > len(raw) else {})}
        return SourceRecord(locator, present, kept, position=position)

    def is_staff(self, mail: MailFacts) -> bool:
        """Whether ``mail`` is the shop's reply: from a staff address or domain, and
        vouched for by the receiving server (a From header alone can be forged)."""
        domain = mail.from_address.rpartition("@")[2]
        if mail.from_address not in self.staff and domain not in self.staff_domains:
            return False
        return vouched_for(mail.authentication_results, self.settings.authserv_id, domain)


def _quote(mailbox: str) -> str:
    return mailbox if mailbox.isalnum() else '"' + mailbox.replace('"', '\\"') + '"'
