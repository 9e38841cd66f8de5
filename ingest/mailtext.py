"""Connectors: an email's facts and the customer's own words (MIME, Chinese charsets, quotes).

Chinese mail clients often label GBK text as ``gb2312`` and Big5-HKSCS as
``big5``; decoding uses the superset codecs and falls back through UTF-8,
GB18030 and Big5 before replacing what cannot be read. Quoted replies (``>``
lines, "-----原始邮件-----", "在 ... 写道：", Outlook's 发件人/发送时间 block)
and signatures ("-- ", "发自我的iPhone") are cut, so the text is what this
mail added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from ingest.htmltext import html_to_text

#: Declared charsets that are subsets of a codec that reads more real mail.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")

_REPLY_MARKERS = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:原始邮件|Original Message|Forwarded message|转发邮件|转发的邮件)\s*-{2,}"
    r"|On\s.{4,200}\swrote:"
    r"|在\s?.{4,200}写道\s*[:：]"
    r"|\d{4}年\d{1,2}月\d{1,2}日.{0,60}写道\s*[:：]"
    r"|_{10,}"
    r")\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"^\s*(?:发件人|From)\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*(?:发送时间|时间|日期|Sent|Date|收件人|To)\s*[:：]", re.IGNORECASE)
_SIGNOFFS = re.compile(
    r"^\s*(?:[发發]自我的\s?\w+|Sent from my \w+.*|[发發来來]自\w*[邮郵]箱.*|Get Outlook for .*"
    r"|[从從]\w+客[户戶][端]?[发發]送)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MailFacts:
    """What the connector needs from one email."""

    message_id: str | None
    subject: str
    from_address: str
    from_name: str
    date: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str
    #: Authentication-Results header values, topmost (added last) first (see ingest.mailauth).
    authentication_results: tuple[str, ...] = ()


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared (often wrong) charset as text, never raising."""
    declared = (charset or "").strip().strip('"').lower()
    candidates = [CHARSET_ALIASES.get(declared, declared)] if declared else []
    candidates += [c for c in _FALLBACKS if c not in candidates]
    for codec in candidates:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode(candidates[0] if candidates[0] in _FALLBACKS else "utf-8", "replace")


def decode_words(value: Any) -> str:
    """A header with RFC 2047 encoded words (=?GB2312?B?...?=) as text."""
    if value is None:
        return ""
    parts = []
    for chunk, charset in decode_header(str(value)):
        parts.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def body_text(message: Message) -> str:
    """The message's text: its text/plain part, else its HTML as text (attachments skipped)."""
    plain = html = None
    for part in message.walk() if message.is_multipart() else [message]:
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _part_text(part)
        elif kind == "text/html" and html is None:
            html = _part_text(part)
    if plain and plain.strip():
        return plain
    if html:
        return html_to_text(html, drop_quotes=True)
    return plain or ""


def strip_reply(text: str) -> str:
    """Only what the sender wrote: quoted replies and the signature cut off."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.rstrip() in {"--", "-- "} or _REPLY_MARKERS.match(line):
            break
        if _HEADER_BLOCK.match(line) and any(
            _HEADER_NEXT.match(following) for following in lines[index + 1 : index + 4]
        ):
            break
        if line.lstrip().startswith((">", "＞")):
            continue
        kept.append(line)
    while kept and (not kept[-1].strip() or _SIGNOFFS.match(kept[-1])):
        kept.pop()
    return "\n".join(kept).strip()


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(re.findall(r"<[^<>\s]+>", str(value or "")))


def read_mail(raw: bytes) -> MailFacts:
    """The facts of one RFC 5322 message (bytes as fetched from the server)."""
    message = message_from_bytes(raw)
    addresses = getaddresses([decode_words(message.get("From"))])
    name, address = addresses[0] if addresses else ("", "")
    date = message.get("Date")
    when = None
    if date:
        try:
            when = parsedate_to_datetime(str(date)).isoformat()
        except (TypeError, ValueError, IndexError):
            when = None
    message_ids = _ids(message.get("Message-ID"))
    reply_ids = _ids(message.get("In-Reply-To"))
    return MailFacts(
        message_id=message_ids[0] if message_ids else None,
        subject=decode_words(message.get("Subject")),
        from_address=address.strip().lower(),
        from_name=name.strip(),
        date=when,
        in_reply_to=reply_ids[0] if reply_ids else None,
        references=_ids(message.get("References")),
        text=strip_reply(body_text(message)),
        authentication_results=tuple(
            str(value) for value in message.get_all("Authentication-Results") or ()
        ),
    )
