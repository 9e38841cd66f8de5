"""Connectors: the settings every connector shares (``RADAR_INGEST_*``), subclassed per connector.

Each connector has one settings model deriving from :class:`ConnectorSettings`
with its own prefix, so ``RADAR_INGEST_EMAIL_FLUSH_EVERY`` sets the email
connector's batch size and the YAML section ``ingest_email`` its values.
"""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from radar.settings import RadarSettings, settings_config


class ConnectorSettings(RadarSettings):
    """Batching, checkpoints, heartbeats, metrics and duplicate flagging of one connector."""

    model_config = settings_config("INGEST_")
    yaml_section: ClassVar[str | None] = "ingest"

    source: str | None = Field(
        None, description="Source name, part of every event id (default: per connector)"
    )
    flush_every: int = Field(
        1000, ge=1, le=100_000, description="Records sent between two checkpoints"
    )
    poll_interval_s: float = Field(30.0, gt=0, description="Wait between two polls (--follow)")
    heartbeat_interval_s: float = Field(30.0, gt=0, description="Wait between two heartbeats")
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")
    timezone: str = Field("Asia/Shanghai", description="Zone of source times given without one")
    rate_limit: float = Field(
        0.0, ge=0, description="Most records per second read in a backfill (0: no limit)"
    )
    dedupe_window_h: float = Field(
        24.0,
        ge=0,
        description="Hours within which the same author's near-identical text is "
        "flagged as a duplicate (0: off)",
    )
    dedupe_similarity: float = Field(
        0.9, gt=0, le=1, description="Similarity (0..1) from which two texts count as the same"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value!r}; use a name such as Asia/Shanghai or UTC"
            raise ValueError(msg) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
