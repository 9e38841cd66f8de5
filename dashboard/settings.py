"""Dashboard: settings of the Streamlit app (``RADAR_DASHBOARD_*``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from radar.settings import RadarSettings, settings_config


class DashboardSettings(RadarSettings):
    """Where ``radar dashboard`` listens and how fresh its numbers are."""

    model_config = settings_config("DASHBOARD_")
    yaml_section: ClassVar[str | None] = "dashboard"

    host: str = Field("127.0.0.1", description="Address the dashboard listens on")
    port: int = Field(8501, ge=1, le=65535, description="Port of the dashboard")
    cache_ttl_s: int = Field(30, ge=1, description="How long query results are reused")
    refresh_s: int = Field(30, ge=5, description="How often live panels refresh")
