"""Dashboard: settings of the Streamlit app (``RADAR_DASHBOARD_*``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from radar.settings import RadarSettings, settings_config

Role = Literal["manager", "oncall", "product", "admin"]


class UserSpec(BaseModel):
    """One dashboard user: roles and an Argon2 password hash (``radar dashboard hash-password``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role | list[Role]
    password_hash: str = Field(min_length=20)
    name: str | None = Field(None, description="Display name")
    shops: list[str] | None = Field(
        None, description="Shops the user sees and acts on; left out: every shop"
    )

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(self.role) if isinstance(self.role, list) else (self.role,)

    @property
    def shop_scope(self) -> tuple[str, ...] | None:
        """The shops the user may see, or None for every shop."""
        return None if self.shops is None else tuple(s for s in self.shops if s.strip())

    @field_validator("shops")
    @classmethod
    def _some_shops(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not [s for s in value if s.strip()]:
            msg = "shops is empty: name the user's shops, or leave shops out for every shop"
            raise ValueError(msg)
        return value

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str) -> str:
        if not value.startswith("$argon2"):
            msg = (
                "password_hash must be an Argon2 hash; "
                "make one with `radar dashboard hash-password`"
            )
            raise ValueError(msg)
        return value


class DashboardSettings(RadarSettings):
    """Where ``radar dashboard`` listens, who may sign in, and how fresh its numbers are."""

    model_config = settings_config("DASHBOARD_")
    yaml_section: ClassVar[str | None] = "dashboard"

    host: str = Field("127.0.0.1", description="Address the dashboard listens on")
    port: int = Field(8501, ge=1, le=65535, description="Port of the dashboard")
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")
    cache_ttl_s: int = Field(30, ge=1, description="How long query results are reused")
    refresh_s: int = Field(30, ge=5, description="How often live panels refresh")
    users: dict[str, UserSpec] = Field(
        default_factory=dict,
        description="Users as JSON/YAML: name -> {role, password_hash}; none means nobody signs in",
    )
    language: Literal["zh", "en"] | None = Field(
        None,
        description="Interface language before anyone switches (zh or en); default RADAR_LANGUAGE",
    )
    sla_hours: float = Field(6.0, gt=0, description="Response SLA for complaints, hours")
    sla_hours_by_channel: dict[str, float] = Field(
        default_factory=dict, description="Response SLA per channel in hours (JSON map)"
    )
    source_stale_s: int = Field(
        900, ge=60, description="A source without a heartbeat this long is shown as down"
    )
    effect_window_days: int = Field(
        28, ge=7, le=180, description="Days before and after an improvement that are compared"
    )
