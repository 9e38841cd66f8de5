"""Notifiers: the service log (the default receiver on one machine; nothing leaves the host)."""

from __future__ import annotations

import logging
from typing import ClassVar

from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier
from alerts.render import render_text

log = logging.getLogger("radar.alerts.notifications")


class LogConfig(ChannelConfig):
    """``log: {}``: write each notification to the service log."""

    channel: ClassVar[str] = "log"
    full: bool = False

    def target(self) -> str:
        return "log"  # shown through label.notify_target


class LogNotifier(ChannelNotifier[LogConfig]):
    """Logs the headline (and with ``full`` the whole text) at WARNING level."""

    def send(self, message: Message) -> str:
        text = render_text(message) if self.config.full else message.headline()
        log.warning("%s → %s", self.receiver, text)
        return "logged"
