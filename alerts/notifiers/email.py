"""Notifiers: SMTP email, multipart text and HTML, optional STARTTLS/TLS and login.

A login needs TLS (``starttls`` or ``tls``) unless the server is on this machine,
so the password never crosses a network in clear.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import ClassVar

from pydantic import ConfigDict, Field, SecretStr, model_validator

from alerts.markup import one_line
from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier, NotifyFailed
from alerts.render import render_html, render_text


class EmailConfig(ChannelConfig):
    """``email: {to, from, host, port, starttls, tls, username, password}``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    channel: ClassVar[str] = "email"
    to: list[str] = Field(min_length=1)
    sender: str = Field(alias="from", description="From address, e.g. radar@shop.example")
    host: str = "127.0.0.1"
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    tls: bool = Field(False, description="TLS from the first byte (SMTPS, usually port 465)")
    username: str | None = None
    password: SecretStr | None = None
    subject_prefix: str = "[Radar] "

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> EmailConfig:
        if self.username and not (self.tls or self.starttls) and not loopback(self.host):
            msg = (
                f"logging in to {self.host} without TLS would send the password in clear; "
                "set starttls: true (usually port 587) or tls: true (port 465)"
            )
            raise ValueError(msg)
        return self

    def target(self) -> str:
        return f"email {','.join(self.to)} via {self.host}:{self.port}"


def loopback(host: str) -> bool:
    """Whether ``host`` is this machine (where a password in clear crosses no network)."""
    if host in {"localhost", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def subject(*parts: str) -> str:
    """An email subject on one line: a line break in a header is refused by the email library,
    which would fail the notification for good (a region or product name can hold one)."""
    return one_line("".join(parts))


def build_email(message: Message, config: EmailConfig) -> EmailMessage:
    """The email for ``message``: text part, HTML alternative, a Message-ID derived from its id."""
    mail = EmailMessage()
    mail["Subject"] = subject(config.subject_prefix, message.headline())
    mail["From"] = config.sender
    mail["To"] = ", ".join(config.to)
    mail["Date"] = format_datetime(message.created_at)
    domain = config.sender.rpartition("@")[2] or "radar.local"
    mail["Message-ID"] = make_msgid(idstring=message.id, domain=domain)
    mail["X-Radar-Notification"] = message.id
    mail.set_content(render_text(message))
    mail.add_alternative(render_html(message), subtype="html")
    return mail


def _failure(exc: Exception, where: str) -> NotifyFailed:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        retryable = any(400 <= code < 500 for code in codes)
        return NotifyFailed(f"{where}: recipients refused {exc.recipients}", retryable=retryable)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        msg = f"{where}: login refused ({exc.smtp_code}); check username and password"
        return NotifyFailed(msg, retryable=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        retryable = 400 <= exc.smtp_code < 500
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return NotifyFailed(f"{where}: server said {exc.smtp_code} {text}", retryable=retryable)
    return NotifyFailed(f"{where}: {type(exc).__name__}: {exc}", retryable=True)


def deliver(mail: EmailMessage, config: EmailConfig, timeout: float) -> str:
    """Send ``mail`` over SMTP as ``config`` says (TLS, STARTTLS, login); what happened, or
    NotifyFailed saying whether a retry may help. The digests send through it too."""
    where = config.target()
    try:
        smtp: smtplib.SMTP
        if config.tls:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=timeout)
        with smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.username and config.password is not None:
                smtp.login(config.username, config.password.get_secret_value())
            refused = smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise _failure(exc, where) from exc
    if refused:
        return f"sent; refused for {sorted(refused)}"
    return f"sent to {len(config.to)} recipients"


class EmailNotifier(ChannelNotifier[EmailConfig]):
    """Sends one email per message over SMTP."""

    def send(self, message: Message) -> str:
        return deliver(build_email(message, self.config), self.config, self.timeout)
