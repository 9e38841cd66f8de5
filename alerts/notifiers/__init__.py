"""Notifiers: one module per channel; :func:`build_notifier` picks the one a receiver names."""

from __future__ import annotations

from typing import Any

from alerts.notifiers.alertmanager import AlertmanagerConfig, AlertmanagerNotifier
from alerts.notifiers.base import ChannelConfig, ChannelNotifier, Notifier, NotifyFailed
from alerts.notifiers.dingtalk import DingTalkConfig, DingTalkNotifier
from alerts.notifiers.email import EmailConfig, EmailNotifier
from alerts.notifiers.feishu import FeishuConfig, FeishuNotifier
from alerts.notifiers.log import LogConfig, LogNotifier
from alerts.notifiers.slack import SlackConfig, SlackNotifier
from alerts.notifiers.webhook import WebhookConfig, WebhookNotifier
from alerts.notifiers.wecom import WeComConfig, WeComNotifier
from radar.clock import Clock, SystemClock

#: channel name in the rules file → its settings model
CHANNELS: dict[str, type[ChannelConfig]] = {
    "webhook": WebhookConfig,
    "dingtalk": DingTalkConfig,
    "wecom": WeComConfig,
    "feishu": FeishuConfig,
    "slack": SlackConfig,
    "email": EmailConfig,
    "alertmanager": AlertmanagerConfig,
    "log": LogConfig,
}


#: settings model → the notifier class that sends with it
NOTIFIERS: dict[type[ChannelConfig], type[ChannelNotifier[Any]]] = {
    WebhookConfig: WebhookNotifier,
    DingTalkConfig: DingTalkNotifier,
    WeComConfig: WeComNotifier,
    FeishuConfig: FeishuNotifier,
    SlackConfig: SlackNotifier,
    EmailConfig: EmailNotifier,
    AlertmanagerConfig: AlertmanagerNotifier,
    LogConfig: LogNotifier,
}


def build_notifier(
    receiver: str, config: ChannelConfig, *, timeout: float = 10.0, clock: Clock | None = None
) -> Notifier:
    """The notifier for one receiver's channel settings."""
    notifier = NOTIFIERS.get(type(config))
    if notifier is None:
        msg = f"receiver {receiver!r}: no notifier for {type(config).__name__}"
        raise TypeError(msg)
    return notifier(receiver, config, timeout=timeout, clock=clock or SystemClock())


__all__ = [
    "CHANNELS",
    "ChannelConfig",
    "Notifier",
    "NotifyFailed",
    "build_notifier",
]
