"""Stream processing: settings of the Faust worker (``RADAR_WORKER_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from radar.settings import RadarSettings, settings_config


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
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")
    web_port: int = Field(0, ge=0, le=65535, description="Faust web port (0: off)")
    log_level: str = Field("info", description="Faust worker log level")
