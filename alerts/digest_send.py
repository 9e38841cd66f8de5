"""Alerts: sending a digest to a receiver of the rules file, on its own channel.

The channels' own settings, signing and delivery are reused (the same SMTP code
as the email notifier, the same signed URLs and answers as the robots):

| channel | what is sent |
|---|---|
| email | HTML with every chart inline (``multipart/related``), and a text part |
| wecom | the Markdown text, then each chart as an image message (base64, under 2 MB) |
| dingtalk, feishu | the Markdown text with dashboard links (their webhooks take no image files) |
| slack | the Markdown as mrkdwn text |
| webhook | the digest as JSON, charts as base64 PNG, signed like alert webhooks |
| log | the text, in the service log |

Alertmanager takes alerts, not reports: naming it is a failure that says so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from typing import Any

from alerts.digest import Digest
from alerts.digest_render import build_email, render_markdown, render_text
from alerts.notifiers.alertmanager import AlertmanagerConfig
from alerts.notifiers.base import ChannelConfig, NotifyFailed
from alerts.notifiers.dingtalk import DingTalkConfig, DingTalkNotifier
from alerts.notifiers.email import EmailConfig, deliver
from alerts.notifiers.feishu import FeishuConfig
from alerts.notifiers.feishu import sign as feishu_sign
from alerts.notifiers.http import json_body, post_json
from alerts.notifiers.log import LogConfig
from alerts.notifiers.slack import SlackConfig
from alerts.notifiers.webhook import SIGNATURE_HEADER, WebhookConfig, signature
from alerts.notifiers.wecom import MAX_BYTES, WeComConfig, truncate_bytes
from radar.clock import Clock, SystemClock

log = logging.getLogger(__name__)

#: WeCom robots take image messages up to this size.
WECOM_IMAGE_BYTES = 2 * 1024 * 1024


def _robot_answer(answer: dict[str, Any], where: str, code_field: str) -> None:
    code = answer.get(code_field, answer.get("StatusCode", 0))
    if code != 0:
        message = answer.get("errmsg") or answer.get("msg") or ""
        raise NotifyFailed(f"{where}: {code_field} {code} {message!r}", retryable=False)


def _dingtalk(digest: Digest, config: DingTalkConfig, timeout: float, clock: Clock) -> str:
    url = DingTalkNotifier("digest", config, timeout=timeout, clock=clock).url()
    body = {
        "msgtype": "markdown",
        "markdown": {"title": digest.title[:64], "text": render_markdown(digest)},
    }
    _robot_answer(
        json_body(post_json(url, body, timeout=timeout), config.target()),
        config.target(),
        "errcode",
    )
    return "errcode 0"


def _wecom(digest: Digest, config: WeComConfig, timeout: float) -> str:
    where = config.target()
    text = {
        "msgtype": "markdown",
        "markdown": {"content": truncate_bytes(render_markdown(digest), MAX_BYTES)},
    }
    _robot_answer(
        json_body(post_json(str(config.url), text, timeout=timeout), where), where, "errcode"
    )
    sent = 0
    for chart in digest.charts:
        if len(chart.png) > WECOM_IMAGE_BYTES:
            log.warning("%s: chart %s is over 2 MB, not sent", where, chart.name)
            continue
        image = {
            "msgtype": "image",
            "image": {
                "base64": base64.b64encode(chart.png).decode("ascii"),
                "md5": hashlib.md5(chart.png).hexdigest(),  # noqa: S324 - WeCom's checksum
            },
        }
        _robot_answer(
            json_body(post_json(str(config.url), image, timeout=timeout), where), where, "errcode"
        )
        sent += 1
    return f"errcode 0, {sent} charts"


def _feishu(digest: Digest, config: FeishuConfig, timeout: float, clock: Clock) -> str:
    body: dict[str, Any] = {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": digest.title}, "template": "blue"},
            "elements": [
                {"tag": "markdown", "content": render_markdown(digest).split("\n", 1)[-1]}
            ],
        },
    }
    if config.secret is not None:
        stamp = int(clock.now().timestamp())
        body = {
            "timestamp": str(stamp),
            "sign": feishu_sign(config.secret.get_secret_value(), stamp),
            **body,
        }
    where = config.target()
    _robot_answer(
        json_body(post_json(str(config.url), body, timeout=timeout), where), where, "code"
    )
    return "code 0"


def _webhook(digest: Digest, config: WebhookConfig, timeout: float) -> str:
    data = {
        "version": "1",
        "type": "digest",
        "id": digest.id,
        "kind": digest.kind,
        "title": digest.title,
        "since": digest.since.isoformat(),
        "until": digest.until.isoformat(),
        "lang": digest.lang,
        "text": render_text(digest),
        "markdown": render_markdown(digest),
        "charts": [
            {"name": c.name, "title": c.title, "png": base64.b64encode(c.png).decode("ascii")}
            for c in digest.charts
        ],
    }
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    headers = {
        **config.headers,
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": digest.id,
    }
    if config.secret is not None:
        headers[SIGNATURE_HEADER] = signature(
            config.secret.get_secret_value().encode("utf-8"), body
        )
    response = post_json(str(config.url), None, content=body, headers=headers, timeout=timeout)
    return f"HTTP {response.status_code}"


def send_digest(
    digest: Digest,
    receiver: str,
    config: ChannelConfig,
    *,
    timeout: float = 10.0,
    clock: Clock | None = None,
) -> str:
    """Deliver ``digest`` to one receiver; what the far side answered, or NotifyFailed."""
    clock = clock or SystemClock()
    if isinstance(config, EmailConfig):
        mail = build_email(digest, config.sender, config.to, config.subject_prefix)
        return deliver(mail, config, timeout)
    if isinstance(config, DingTalkConfig):
        return _dingtalk(digest, config, timeout, clock)
    if isinstance(config, WeComConfig):
        return _wecom(digest, config, timeout)
    if isinstance(config, FeishuConfig):
        return _feishu(digest, config, timeout, clock)
    if isinstance(config, SlackConfig):
        body = {
            "text": digest.title,
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": render_markdown(digest)[:2900]},
                }
            ],
        }
        post_json(str(config.url), body, timeout=timeout)
        return "ok"
    if isinstance(config, WebhookConfig):
        return _webhook(digest, config, timeout)
    if isinstance(config, LogConfig):
        log.info("%s: %s\n%s", receiver, digest.title, render_text(digest))
        return "logged"
    if isinstance(config, AlertmanagerConfig):
        msg = f"receiver {receiver!r} is Alertmanager, which takes alerts, not digests"
        raise NotifyFailed(msg, retryable=False)
    msg = f"receiver {receiver!r}: no way to send a digest over {type(config).__name__}"
    raise NotifyFailed(msg, retryable=False)


__all__ = ["send_digest"]
