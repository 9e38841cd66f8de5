"""Notifiers: a generic JSON webhook (the whole message as JSON, optionally HMAC-signed)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import ClassVar

from pydantic import Field, HttpUrl, SecretStr

from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier
from alerts.notifiers.http import post_json, safe_url

SIGNATURE_HEADER = "X-Radar-Signature"
PAYLOAD_VERSION = "1"


class WebhookConfig(ChannelConfig):
    """``webhook: {url, headers, secret}``: POST the message as JSON."""

    channel: ClassVar[str] = "webhook"
    url: HttpUrl
    headers: dict[str, str] = Field(default_factory=dict)
    secret: SecretStr | None = Field(
        None, description=f"When set, {SIGNATURE_HEADER}: sha256=HMAC(secret, body) is added"
    )

    def target(self) -> str:
        return f"webhook {safe_url(str(self.url))}"


def payload(message: Message) -> dict[str, object]:
    """The JSON body: the message itself plus a version for receivers that parse it."""
    return {"version": PAYLOAD_VERSION, **message.model_dump(mode="json")}


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookNotifier(ChannelNotifier[WebhookConfig]):
    """POSTs each message as JSON; ``Idempotency-Key`` lets receivers drop a repeat delivery."""

    def send(self, message: Message) -> str:
        body = json.dumps(payload(message), ensure_ascii=False).encode("utf-8")
        headers = {
            **self.config.headers,
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.id,
        }
        if self.config.secret is not None:
            key = self.config.secret.get_secret_value().encode("utf-8")
            headers[SIGNATURE_HEADER] = signature(key, body)
        response = post_json(
            str(self.config.url), None, content=body, headers=headers, timeout=self.timeout
        )
        return f"HTTP {response.status_code}"
