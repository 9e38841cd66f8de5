"""Shared kernel: the one base exception every Radar error derives from."""

from __future__ import annotations


class RadarError(Exception):
    """Base of every error Radar raises on purpose.

    Messages say what was wrong and what to do next; the CLI prints them
    without a traceback.
    """


class ConfigError(RadarError):
    """A setting or configuration file is missing or invalid."""


class ValidationFailed(RadarError):
    """Input did not match the event contract.

    ``reason`` is a short machine code (used for dead-letter statistics),
    ``field`` the first offending field when one is known.
    """

    def __init__(self, message: str, *, reason: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.field = field


class BrokerError(RadarError):
    """The local Kafka broker could not be prepared, started or reached."""
