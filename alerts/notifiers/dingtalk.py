"""Notifiers: DingTalk group robot (钉钉机器人), Markdown message, optional 加签 signing."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import ClassVar
from urllib.parse import quote_plus

from pydantic import HttpUrl, SecretStr

from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier, NotifyFailed
from alerts.notifiers.http import json_body, post_json, safe_url
from alerts.render import render_markdown
from radar.clock import to_millis

#: errcodes that mean "later": system busy, sending too fast.
RETRYABLE_ERRCODES = frozenset({-1, 130101})


class DingTalkConfig(ChannelConfig):
    """``dingtalk: {url, secret}``: the robot's webhook URL (with access_token) and SEC secret."""

    channel: ClassVar[str] = "dingtalk"
    url: HttpUrl
    secret: SecretStr | None = None

    def target(self) -> str:
        return f"dingtalk {safe_url(str(self.url))}"


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: urlencode(base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest))


def body(message: Message) -> dict[str, object]:
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.headline()[:64], "text": render_markdown(message)},
    }


class DingTalkNotifier(ChannelNotifier[DingTalkConfig]):
    """Posts a Markdown message; with a secret, signs the URL (``timestamp`` and ``sign``)."""

    def url(self) -> str:
        url = str(self.config.url)
        if self.config.secret is None:
            return url
        stamp = to_millis(self.clock.now())
        signature = sign(self.config.secret.get_secret_value(), stamp)
        joiner = "&" if "?" in url else "?"
        return f"{url}{joiner}timestamp={stamp}&sign={signature}"

    def send(self, message: Message) -> str:
        response = post_json(self.url(), body(message), timeout=self.timeout)
        where = self.target()
        answer = json_body(response, where)
        code = answer.get("errcode", 0)
        if code != 0:
            retryable = code in RETRYABLE_ERRCODES
            msg = f"{where}: errcode {code} {answer.get('errmsg', '')!r}"
            if not retryable:
                msg += "; check the robot's URL, secret, keywords and IP allow-list"
            raise NotifyFailed(msg, retryable=retryable)
        return "errcode 0"
