"""Notifiers: WeCom group robot (企业微信群机器人), Markdown message (WeCom has no signing)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import HttpUrl

from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier, NotifyFailed
from alerts.notifiers.http import json_body, post_json, safe_url
from alerts.render import render_markdown

#: errcodes that mean "later": system busy, frequency limit.
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45033})
#: WeCom rejects Markdown content longer than this many bytes.
MAX_BYTES = 4096


class WeComConfig(ChannelConfig):
    """``wecom: {url}``: the robot's webhook URL (with its key)."""

    channel: ClassVar[str] = "wecom"
    url: HttpUrl

    def target(self) -> str:
        return f"wecom {safe_url(str(self.url))}"


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary, marked as cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    marker = "\n…"
    cut = data[: limit - len(marker.encode("utf-8"))].decode("utf-8", errors="ignore")
    return cut + marker


def body(message: Message) -> dict[str, object]:
    return {
        "msgtype": "markdown",
        "markdown": {"content": truncate_bytes(render_markdown(message), MAX_BYTES)},
    }


class WeComNotifier(ChannelNotifier[WeComConfig]):
    """Posts a Markdown message to a WeCom group robot."""

    def send(self, message: Message) -> str:
        response = post_json(str(self.config.url), body(message), timeout=self.timeout)
        where = self.target()
        answer = json_body(response, where)
        code = answer.get("errcode", 0)
        if code != 0:
            retryable = code in RETRYABLE_ERRCODES
            msg = f"{where}: errcode {code} {answer.get('errmsg', '')!r}"
            if not retryable:
                msg += "; check the robot's webhook key"
            raise NotifyFailed(msg, retryable=retryable)
        return "errcode 0"
