"""Notifiers: the contract every channel implements, and the failure that says if a retry helps.

A notifier gets a rendered :class:`~alerts.message.Message` and either returns a
short description of what the far side answered, or raises
:class:`NotifyFailed` with ``retryable`` set when trying again later may work
(timeouts, refused connections, 429 and 5xx answers). The retry stage in
:mod:`alerts.delivery` acts on that flag; a notifier never retries by itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from alerts.message import Message
from radar.clock import Clock, SystemClock
from radar.errors import RadarError


class NotifyFailed(RadarError):
    """A delivery attempt failed; ``retryable`` says whether another attempt may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ChannelConfig(BaseModel):
    """Base of each channel's settings in the rules file (``receivers[].<channel>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    channel: ClassVar[str] = ""

    def target(self) -> str:
        """Where messages go, safe to print (no secrets, no tokens)."""
        return self.channel


class Notifier(Protocol):
    """Sends one message to one receiver."""

    receiver: str

    def send(self, message: Message) -> str:
        """Deliver ``message``; return what the far side answered, or raise NotifyFailed."""
        ...

    def target(self) -> str:
        """Where messages go, safe to print."""
        ...


C = TypeVar("C", bound=ChannelConfig)


class ChannelNotifier(ABC, Generic[C]):
    """Base of the channel notifiers: one receiver, its channel settings, a timeout, a clock."""

    def __init__(
        self, receiver: str, config: C, *, timeout: float = 10.0, clock: Clock | None = None
    ) -> None:
        self.receiver = receiver
        self.config = config
        self.timeout = timeout
        self.clock = clock or SystemClock()

    def target(self) -> str:
        return self.config.target()

    @abstractmethod
    def send(self, message: Message) -> str:
        """Deliver ``message``; return what the far side answered, or raise NotifyFailed."""
