"""Alerts: settings of ``radar alerts`` (``RADAR_ALERTS_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator

from radar.errors import ConfigError
from radar.settings import CoreSettings, RadarSettings, settings_config

#: The shortest link secret taken: HMAC-SHA256 under a shorter key is open to guessing.
MIN_LINK_SECRET_BYTES = 16

#: The rules shipped with Radar, used when no rules file is configured.
DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


class AlertsSettings(RadarSettings):
    """How the alert service runs: its rules, consumer group, timers and link signing."""

    model_config = settings_config("ALERTS_")
    yaml_section: ClassVar[str | None] = "alerts"

    rules_file: Path | None = Field(
        None, description="Rules YAML (see docs/alerts.md); default: the rules shipped with Radar"
    )
    group_id: str = Field("radar-alerts", description="Kafka consumer group of the alert service")
    tick_s: float = Field(1.0, gt=0, le=60, description="How often timers are checked, seconds")
    link_secret: SecretStr | None = Field(
        None,
        description=(
            "Key signing acknowledge/resolve links, at least 16 bytes; "
            "default a random key in the data dir"
        ),
    )
    link_ttl_hours: float = Field(72.0, gt=0, description="How long acknowledge links stay valid")
    send_timeout_s: float = Field(10.0, gt=0, description="Timeout of one delivery attempt")
    delivery_threads: int = Field(4, ge=1, le=64, description="Deliveries attempted in parallel")
    retry_initial_s: float = Field(5.0, gt=0, description="First wait before a delivery retry")
    retry_max_s: float = Field(300.0, gt=0, description="Longest wait between delivery retries")
    retry_max_attempts: int = Field(10, ge=1, description="Delivery attempts before giving up")
    max_signal_age_s: float = Field(
        86400.0, gt=0, description="Firing updates older than this are ignored (old history)"
    )
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")

    @field_validator("rules_file")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().resolve()

    @property
    def resolved_rules_file(self) -> Path:
        return self.rules_file or DEFAULT_RULES


def link_secret(settings: AlertsSettings, core: CoreSettings) -> bytes:
    """The link-signing key from settings, else a random one created once in the data dir.

    A configured key under :data:`MIN_LINK_SECRET_BYTES` (UTF-8) is a
    :class:`ConfigError` naming the setting, so ``radar alerts run`` and
    ``radar dashboard`` refuse to start instead of failing on the first link.
    The message never quotes the key.
    """
    secret = core.secret(settings.link_secret, "alerts-link")
    if len(secret) < MIN_LINK_SECRET_BYTES:
        msg = (
            f"RADAR_ALERTS_LINK_SECRET (link_secret in the alerts section of RADAR_CONFIG) is "
            f"{len(secret)} bytes; the key signing acknowledge/resolve links needs at least "
            f"{MIN_LINK_SECRET_BYTES} (e.g. `openssl rand -hex 32`). Unset it to use a random "
            "key kept in the data dir"
        )
        raise ConfigError(msg)
    return secret
