"""Connectors: options every ``radar ingest`` pull command shares, and how they become settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from ingest.normalize import CONTRACT_FIELDS
from ingest.settings import ConnectorSettings
from radar.errors import ConfigError
from radar.events import describe_validation_error

S = TypeVar("S", bound=ConnectorSettings)
F = TypeVar("F", bound=Callable[..., Any])

_PULL_OPTIONS = (
    click.option("--follow", is_flag=True, help="Keep polling until stopped (SIGTERM, Ctrl-C)"),
    click.option("--source", help="Source name, part of every event id"),
    click.option("--poll-interval", "poll_interval_s", type=float, help="Seconds between polls"),
    click.option("--flush-every", type=int, help="Records sent between two checkpoints"),
    click.option("--rate-limit", type=float, help="Most records per second (0: no limit)"),
    click.option(
        "--heartbeat-interval",
        "heartbeat_interval_s",
        type=float,
        help="Seconds between heartbeats (--follow)",
    ),
    click.option("--metrics-port", type=int, help="Serve Prometheus /metrics on this port"),
    click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON"),
    click.option("--quiet", is_flag=True, help="No progress bar"),
)

#: Options that are settings fields (the rest steer the command itself).
SETTING_OPTIONS = (
    "source",
    "poll_interval_s",
    "flush_every",
    "rate_limit",
    "heartbeat_interval_s",
    "metrics_port",
)


def pull_options(function: F) -> F:
    """Add the shared pull-connector options to a command."""
    for option in reversed(_PULL_OPTIONS):
        function = option(function)
    return function


def load_settings(model: type[S], options: dict[str, Any], **extra: Any) -> S:
    """The connector's settings with the command-line options on top; errors name the field."""
    given = {name: options.get(name) for name in SETTING_OPTIONS}
    try:
        return model.load(**given, **extra)
    except ValidationError as exc:
        _reason, message, _field = describe_validation_error(exc)
        raise ConfigError(f"{model.__name__}: {message}") from exc


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("text=content", ...)`` → ``{"text": "content"}``, checked against the contract."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name or not column:
            msg = f"--map {pair!r}: expected FIELD=COLUMN, e.g. --map text=content"
            raise click.BadParameter(msg)
        if name not in CONTRACT_FIELDS:
            msg = f"--map {pair!r}: unknown field {name!r}; fields: {', '.join(CONTRACT_FIELDS)}"
            raise click.BadParameter(msg)
        mapping[name] = column
    return mapping
