"""HTTP API: settings of ``radar api`` (``RADAR_API_*``): where it listens and who may call it."""

from __future__ import annotations

import re
from typing import ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from radar.settings import RadarSettings, settings_config

#: What a caller may do: ``viewer`` reads; ``oncall`` also works incidents (acknowledge,
#: assign, note, checklist, resolve); ``admin`` may do everything.
ApiRole = Literal["viewer", "oncall", "admin"]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ApiClientSpec(BaseModel):
    """One system allowed to call the API: its role, its token (or the token's SHA-256), and
    the shops it may see (left out: every shop)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: ApiRole
    token: SecretStr | None = Field(None, description="The bearer token itself")
    token_sha256: str | None = Field(
        None, description="Hex SHA-256 of the token (`radar api token` prints it)"
    )
    shops: list[str] | None = Field(
        None, description="Shops this client sees and acts on; left out: every shop"
    )

    @field_validator("token_sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not _HEX64.match(value.lower()):
            msg = "token_sha256 must be 64 hex digits; `radar api token` prints one"
            raise ValueError(msg)
        return None if value is None else value.lower()

    @field_validator("shops")
    @classmethod
    def _some_shops(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not [s for s in value if s.strip()]:
            msg = "shops is empty: name the client's shops, or leave shops out for every shop"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _one_token(self) -> Self:
        if (self.token is None) == (self.token_sha256 is None):
            msg = "give exactly one of token and token_sha256"
            raise ValueError(msg)
        return self


class ApiSettings(RadarSettings):
    """Where ``radar api`` listens, which clients may call it, and how much one may ask."""

    model_config = settings_config("API_")
    yaml_section: ClassVar[str | None] = "api"

    host: str = Field("127.0.0.1", description="Address the API listens on")
    port: int = Field(8320, ge=1, le=65535, description="Port of the API")
    clients: dict[str, ApiClientSpec] = Field(
        default_factory=dict,
        description="Clients as JSON/YAML: name -> {role, token_sha256 or token, shops}",
    )
    language: Literal["zh", "en"] | None = Field(
        None, description="Language of titles and exports unless ?lang=; default RADAR_LANGUAGE"
    )
    client_rate: float = Field(
        20.0, ge=0, description="Requests a second one client address may send (0: no limit)"
    )
    client_burst: int = Field(100, ge=1, description="Requests one client may send at once")
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics port (0: off)")
