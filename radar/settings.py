"""Shared kernel: typed settings from ``RADAR_*`` environment variables and an optional YAML file.

Every service has one frozen settings model deriving from :class:`RadarSettings`.
Values come, in order of precedence, from keyword arguments, environment
variables (``RADAR_`` plus the model's own prefix), the section of the YAML
file named by ``RADAR_CONFIG`` that belongs to the model, and the defaults,
which all work on one machine. Nothing outside this module reads ``os.environ``
for configuration.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import ssl
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
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
    retention_days: int | None = Field(
        None,
        ge=1,
        description="Days customer texts and samples are kept (counts stay); unset: kept forever",
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
        machine (mode 0600 from its creation) and is shared by every service using
        this data dir. It is written whole under another name and then linked in
        place, so a service starting at the same moment reads the whole key or
        makes the same link fail, never an empty or half-written file.
        """
        if configured is not None:
            return configured.get_secret_value().encode("utf-8")
        path = self.ensure_data_dir() / f"{name}.key"
        if not path.exists():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(secrets.token_hex(32))
                    fh.flush()
                    os.fsync(fh.fileno())
                with contextlib.suppress(FileExistsError):  # another process linked its key
                    os.link(tmp, path)  # atomic, and never over a key another process made
            finally:
                tmp.unlink(missing_ok=True)
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            msg = (
                f"{path} holds a key of {len(key)} characters, too short to be one Radar made; "
                "remove the file (a new key is made) or set the key in the environment"
            )
            raise ConfigError(msg)
        return key.encode("ascii")


class KafkaSecurity(RadarSettings):
    """How every Radar client authenticates to Kafka and encrypts (``RADAR_KAFKA_*``).

    The default, ``PLAINTEXT``, is what the local broker of ``radar kafka up``
    speaks on loopback. A shared cluster wants ``SASL_SSL``: a SCRAM (or PLAIN)
    user and password, and TLS checked against ``ssl_cafile``; ``SSL`` with a
    client certificate is the other choice. The producers, consumers and admin
    clients of the connectors, the worker and the alert service all read this
    one model, through :meth:`kafka_python` and :meth:`aiokafka`.
    """

    model_config = settings_config("KAFKA_")
    yaml_section: ClassVar[str | None] = "kafka"

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="PLAINTEXT (loopback only), SSL, SASL_PLAINTEXT or SASL_SSL"
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "SCRAM-SHA-512", description="SASL mechanism (SASL_* protocols)"
    )
    sasl_username: str | None = Field(None, description="SASL user")
    sasl_password: SecretStr | None = Field(None, description="SASL password")
    ssl_cafile: Path | None = Field(
        None, description="CA bundle that signed the brokers' certificates (default: the system's)"
    )
    ssl_certfile: Path | None = Field(None, description="Client certificate (mutual TLS)")
    ssl_keyfile: Path | None = Field(None, description="Client certificate's private key")
    ssl_key_password: SecretStr | None = Field(None, description="Password of the private key")
    ssl_check_hostname: bool = Field(
        True, description="Check that the broker's certificate names the host connected to"
    )

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        return self.security_protocol.endswith("SSL")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.sasl and not (self.sasl_username and self.sasl_password):
            msg = (
                f"RADAR_KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs a user: set "
                "RADAR_KAFKA_SASL_USERNAME and RADAR_KAFKA_SASL_PASSWORD"
            )
            raise ValueError(msg)
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            msg = "a client certificate needs both RADAR_KAFKA_SSL_CERTFILE and _SSL_KEYFILE"
            raise ValueError(msg)
        given = [self.ssl_cafile, self.ssl_certfile, self.ssl_keyfile]
        if not self.tls and any(given):
            msg = (
                f"RADAR_KAFKA_SSL_* files are set but RADAR_KAFKA_SECURITY_PROTOCOL is "
                f"{self.security_protocol}; use SSL or SASL_SSL, or unset them"
            )
            raise ValueError(msg)
        for path in given:
            if path is not None and not path.is_file():
                raise ValueError(f"{path}: no such file (a RADAR_KAFKA_SSL_* setting)")
        return self

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of every connection (None without TLS): certificates checked."""
        if not self.tls:
            return None
        context = ssl.create_default_context(
            cafile=str(self.ssl_cafile) if self.ssl_cafile else None
        )
        context.check_hostname = self.ssl_check_hostname
        if self.ssl_certfile is not None and self.ssl_keyfile is not None:
            password = self.ssl_key_password.get_secret_value() if self.ssl_key_password else None
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile, password)
        return context

    def kafka_python(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python's producer, consumer and admin client."""
        args: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.sasl:
            args["sasl_mechanism"] = self.sasl_mechanism
            args["sasl_plain_username"] = self.sasl_username
            args["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        if self.tls:
            args["ssl_context"] = self.ssl_context()
        return args

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's clients (the same names, a TLS context object)."""
        return self.kafka_python()


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
