"""Shared kernel: typed settings from ``RADAR_*`` environment variables and an optional YAML file.

Every service has one frozen settings model deriving from :class:`RadarSettings`.
Values come, in order of precedence, from keyword arguments, environment
variables (``RADAR_`` plus the model's own prefix), the section of the YAML
file named by ``RADAR_CONFIG`` that belongs to the model, and the defaults,
which all work on one machine. Nothing outside this module reads ``os.environ``
for configuration.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from radar.errors import ConfigError

CONFIG_ENV = "RADAR_CONFIG"


@cache
def _load_yaml(path: str) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        msg = f"{CONFIG_ENV}={path}: no such file; create it or unset {CONFIG_ENV}"
        raise ConfigError(msg)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        msg = f"{path}: not valid YAML ({exc}); fix the file or unset {CONFIG_ENV}"
        raise ConfigError(msg) from exc
    if not isinstance(data, dict):
        msg = f"{path}: the top level must be a mapping of sections"
        raise ConfigError(msg)
    return data


def yaml_section(section: str | None) -> dict[str, Any]:
    """The mapping for ``section`` in the ``RADAR_CONFIG`` file (top level when None)."""
    path = os.environ.get(CONFIG_ENV)
    if not path:
        return {}
    data = _load_yaml(path)
    if section is None:
        return {k: v for k, v in data.items() if not isinstance(v, dict)}
    value = data.get(section) or {}
    if not isinstance(value, dict):
        msg = f"{path}: section '{section}' must be a mapping"
        raise ConfigError(msg)
    return value


class RadarSettings(BaseSettings):
    """Base of every service's settings model.

    Subclasses set ``model_config = settings_config("PREFIX_")`` and the
    class variable ``yaml_section`` naming their part of the YAML file.
    """

    yaml_section: ClassVar[str | None] = None

    @classmethod
    def load(cls, **overrides: Any) -> Self:
        """Settings from the usual sources, with the non-None ``overrides`` (CLI options) on top."""
        given = {name: value for name, value in overrides.items() if value is not None}
        return cls(**given)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_source = InitSettingsSource(settings_cls, init_kwargs=yaml_section(cls.yaml_section))
        return (init_settings, env_settings, yaml_source)


def settings_config(prefix: str = "") -> SettingsConfigDict:
    """The shared model configuration, with ``RADAR_`` + ``prefix`` for variables."""
    return SettingsConfigDict(
        env_prefix=f"RADAR_{prefix}",
        frozen=True,
        extra="ignore",
        populate_by_name=True,
    )


class CoreSettings(RadarSettings):
    """Settings every service shares: where data lives, which Kafka, which store."""

    model_config = settings_config()
    yaml_section: ClassVar[str | None] = None

    data_dir: Path = Field(Path("data"), description="Folder for the store, broker data and state")
    cache_dir: Path | None = Field(
        None, description="Folder for derived model tables; default 'cache' in the data dir"
    )
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma separated"
    )
    kafka_compression: Literal["lz4", "gzip", "none"] = Field(
        "lz4", description="Compression of what Radar produces (lz4: fast; gzip: smallest)"
    )
    topic_prefix: str = Field("", description="Prefix for every topic name (shared clusters)")
    topic_partitions: int = Field(4, ge=1, le=256, description="Partitions per topic at creation")
    topic_replication: int = Field(1, ge=1, le=5, description="Replication factor at creation")
    store_url: str | None = Field(
        None, description="SQLAlchemy URL of the store; default SQLite file in the data dir"
    )
    dashboard_url: str = Field(
        "http://127.0.0.1:8501", description="Public URL of the dashboard, used in alert links"
    )
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Key for pseudonymising authors; default a random key kept in the data dir",
    )
    log_level: str = Field("INFO", description="Log level of every service")
    metrics_host: str = Field(
        "127.0.0.1", description="Address every service's Prometheus /metrics listens on"
    )
    language: Literal["zh", "en"] = Field(
        "zh", description="Language of what people read: alerts, incidents, the dashboard"
    )
    timezone: str = Field(
        "Asia/Shanghai", description="Time zone of times shown and of daily buckets (IANA name)"
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai or UTC"
            raise ValueError(msg) from exc
        return value

    @property
    def resolved_cache_dir(self) -> Path:
        return (self.cache_dir or self.data_dir / "cache").expanduser().resolve()

    @property
    def resolved_store_url(self) -> str:
        if self.store_url:
            return self.store_url
        return f"sqlite:///{self.data_dir / 'radar.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def secret(self, configured: SecretStr | None, name: str) -> bytes:
        """``configured`` when set, else a random key created once as ``<data_dir>/<name>.key``.

        Keys are never written into code; a generated one stays private to the
        machine (mode 0600) and is shared by every service using this data dir.
        """
        if configured is not None:
            return configured.get_secret_value().encode("utf-8")
        path = self.ensure_data_dir() / f"{name}.key"
        if not path.exists():
            try:
                with path.open("x", encoding="ascii") as fh:  # "x": never overwrite a key
                    fh.write(secrets.token_hex(32))
                path.chmod(0o600)
            except FileExistsError:
                pass  # another process created it first
        return path.read_text(encoding="ascii").strip().encode("ascii")


def codec(compression: str) -> str | None:
    """The producer setting of the Kafka clients for ``RADAR_KAFKA_COMPRESSION``."""
    return None if compression == "none" else compression


class BrokerSettings(RadarSettings):
    """Settings of the local single-node Kafka broker run by ``radar kafka up``."""

    model_config = settings_config("BROKER_")
    yaml_section: ClassVar[str | None] = "broker"

    kafka_version: str = Field("4.1.1", description="Apache Kafka release fetched from Maven")
    scala_version: str = Field("2.13", description="Scala build of the kafka jar")
    host: str = Field("127.0.0.1", description="Address the broker listens on")
    port: int = Field(9092, ge=1, le=65535, description="Client listener port")
    controller_port: int = Field(9093, ge=1, le=65535, description="KRaft controller port")
    heap_mb: int = Field(512, ge=128, description="JVM heap of the broker")
    cache_dir: Path = Field(Path(".cache/kafka"), description="Where resolved Kafka jars are kept")
    kafka_home: Path | None = Field(
        None,
        validation_alias=AliasChoices("kafka_home", "RADAR_BROKER_KAFKA_HOME", "KAFKA_HOME"),
        description="An installed Kafka to use instead of fetching jars (KAFKA_HOME)",
    )
    start_timeout_s: float = Field(90.0, gt=0, description="How long `up` waits for the broker")

    @field_validator("cache_dir")
    @classmethod
    def _absolute_cache(cls, value: Path) -> Path:
        return value.expanduser().resolve()
