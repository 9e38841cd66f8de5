"""Notifiers: one module per channel; :func:`build_notifier` picks the one a receiver names."""

from __future__ import annotations

from alerts.notifiers.alertmanager import AlertmanagerConfig, AlertmanagerNotifier
from alerts.notifiers.base import ChannelConfig, Notifier, NotifyFailed
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


def build_notifier(
    receiver: str, config: ChannelConfig, *, timeout: float = 10.0, clock: Clock | None = None
) -> Notifier:
    """The notifier for one receiver's channel settings."""
    clock = clock or SystemClock()
    if isinstance(config, WebhookConfig):
        return WebhookNotifier(receiver, config, timeout=timeout)
    if isinstance(config, DingTalkConfig):
        return DingTalkNotifier(receiver, config, timeout=timeout, clock=clock)
    if isinstance(config, WeComConfig):
        return WeComNotifier(receiver, config, timeout=timeout)
    if isinstance(config, FeishuConfig):
        return FeishuNotifier(receiver, config, timeout=timeout, clock=clock)
    if isinstance(config, SlackConfig):
        return SlackNotifier(receiver, config, timeout=timeout)
    if isinstance(config, EmailConfig):
        return EmailNotifier(receiver, config, timeout=timeout)
    if isinstance(config, AlertmanagerConfig):
        return AlertmanagerNotifier(receiver, config, timeout=timeout, clock=clock)
    if isinstance(config, LogConfig):
        return LogNotifier(receiver, config)
    msg = f"receiver {receiver!r}: no notifier for {type(config).__name__}"
    raise TypeError(msg)


__all__ = [
    "CHANNELS",
    "ChannelConfig",
    "Notifier",
    "NotifyFailed",
    "build_notifier",
]
