"""Notifiers: Feishu/Lark custom bot (飞书自定义机器人), card message, optional signing."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import ClassVar

from pydantic import HttpUrl, SecretStr

from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier, NotifyFailed
from alerts.notifiers.http import json_body, post_json, safe_url
from alerts.render import render_markdown

#: codes that mean "later": frequency limited, internal error.
RETRYABLE_CODES = frozenset({11232, 11233, 9499})

_TEMPLATES = {0: "blue", 1: "yellow", 2: "orange", 3: "red"}


class FeishuConfig(ChannelConfig):
    """``feishu: {url, secret}``: the bot's webhook URL and its signing secret (签名校验)."""

    channel: ClassVar[str] = "feishu"
    url: HttpUrl
    secret: SecretStr | None = None

    def target(self) -> str:
        return f"feishu {safe_url(str(self.url))}"


def sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", message=""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def body(message: Message) -> dict[str, object]:
    color = "green" if message.status == "resolved" else _TEMPLATES.get(message.severity, "red")
    return {
        "msg_type": "interactive",
        "card": {
            "header": {
                "title": {"tag": "plain_text", "content": message.headline()},
                "template": color,
            },
            "elements": [
                {"tag": "markdown", "content": render_markdown(message).split("\n", 2)[-1]}
            ],
        },
    }


class FeishuNotifier(ChannelNotifier[FeishuConfig]):
    """Posts an interactive card; adds ``timestamp`` and ``sign`` to the body when signing."""

    def payload(self, message: Message) -> dict[str, object]:
        data = body(message)
        if self.config.secret is not None:
            stamp = int(self.clock.now().timestamp())
            data = {
                "timestamp": str(stamp),
                "sign": sign(self.config.secret.get_secret_value(), stamp),
                **data,
            }
        return data

    def send(self, message: Message) -> str:
        response = post_json(str(self.config.url), self.payload(message), timeout=self.timeout)
        where = self.target()
        answer = json_body(response, where)
        code = answer.get("code", answer.get("StatusCode", 0))
        if code != 0:
            retryable = code in RETRYABLE_CODES
            msg = f"{where}: code {code} {answer.get('msg', '')!r}"
            if not retryable:
                msg += "; check the bot's URL, secret and keyword settings"
            raise NotifyFailed(msg, retryable=retryable)
        return "code 0"
