"""Stream processing: settings of the Faust worker (``RADAR_WORKER_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from radar.events import Channel
from radar.settings import RadarSettings, settings_config
from streams.unanswered import CONVERSATION_CHANNELS
from streams.windows import parse_combinations


class WorkerSettings(RadarSettings):
    """How ``radar worker`` runs: its consumer group, batching, engine and ports."""

    model_config = settings_config("WORKER_")
    yaml_section: ClassVar[str | None] = "worker"

    app_id: str = Field("radar-worker", description="Faust app id = Kafka consumer group")
    sentiment_engine: str = Field(
        "default", description="snownlp | fast | domain | blend | default"
    )
    batch_size: int = Field(500, ge=1, le=10_000, description="Events scored per batch")
    batch_within_s: float = Field(0.5, gt=0, description="Longest wait to fill a batch")
    sink_enabled: bool = Field(True, description="Also write scored events into the store")
    detect_enabled: bool = Field(True, description="Count windows and run the detectors")
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")
    web_port: int = Field(0, ge=0, le=65535, description="Faust web port (0: off)")
    log_level: str = Field("info", description="Faust worker log level")

    session_timeout_s: float = Field(
        30.0,
        ge=6,
        le=90,
        description="A worker silent this long (killed) leaves the group; its partitions move",
    )
    shutdown_timeout_s: float = Field(
        8.0,
        ge=1,
        le=60,
        description="Longest stop after SIGTERM; past it the worker exits at once "
        "(nothing uncommitted is lost: it is read again)",
    )
    lateness_s: float = Field(
        300.0, ge=0, description="Events this late (event time) still land in their window"
    )
    idle_s: float = Field(
        30.0, gt=0, description="A partition silent this long no longer holds event time back"
    )
    count_batch_size: int = Field(
        2000, ge=1, le=20_000, description="Scored events counted per batch"
    )
    count_within_s: float = Field(
        1.0,
        gt=0,
        description="Longest wait to fill a counting batch (changed windows go out once per batch)",
    )
    tick_s: float = Field(5.0, gt=0, description="How often idle time and heartbeats are checked")
    stats_interval_s: float = Field(
        15.0, gt=0, description="How often consumer lag and records/s go to the store"
    )
    rollup_interval_s: float = Field(
        30.0,
        ge=0,
        description="How often the worker holding partition 0 of feedback.scored brings the "
        "dashboard's hourly, daily and sample roll-ups up to date (0: never; then run "
        "`radar dashboard refresh`)",
    )
    sla_hours: dict[str, float] = Field(
        default_factory=dict, description="Response SLA per channel in hours (default 6)"
    )
    default_sla_hours: float = Field(6.0, gt=0, description="Response SLA of other channels")
    unanswered_channels: list[Channel] = Field(
        default_factory=lambda: list(CONVERSATION_CHANNELS),
        description="Channels whose complaints wait for a staff reply (JSON list)",
    )
    heartbeat_timeout_s: float = Field(
        900.0, gt=0, description="A source without a heartbeat this long is down"
    )
    crisis_quiet_s: float = Field(
        21600.0, gt=0, description="A crisis episode ends after this long without a new item"
    )
    key_combinations: list[str] = Field(
        default_factory=lambda: ["topic+region", "topic+product", "product+channel"],
        description="Field combinations counted and judged besides single fields (JSON list)",
    )
    max_keys: int = Field(
        2000, ge=10, description="Keys each detection partition tracks at most (heavy hitters win)"
    )
    spike_min_count: int = Field(5, ge=1, description="Complaints a window needs to spike")
    spike_fire_at: float = Field(0.5, gt=0, le=1, description="Spike score that raises a signal")
    emerging_enabled: bool = Field(
        True, description="Count complaint terms no topic covers and report emerging issues"
    )

    @field_validator("key_combinations")
    @classmethod
    def _combinations(cls, value: list[str]) -> list[str]:
        parse_combinations(value)  # raises naming the bad entry
        return value

    def combinations(self) -> tuple[tuple[str, ...], ...]:
        return parse_combinations(self.key_combinations)

    def windows_topic(self, topic_prefix: str) -> str:
        """The worker's internal topic between counting and detection."""
        return f"{topic_prefix}{self.app_id}-windows"
