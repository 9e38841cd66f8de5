"""Connectors: push channels (HTTP endpoint or JSON-lines replay), shared by surveys and social."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, SecretStr

from ingest.emitter import Emitter, make_dedupe, make_normaliser
from ingest.folder import FileConnector
from ingest.intake import Auth, FieldsParser, Intake, Limits, serve
from ingest.metrics import serve_metrics
from ingest.producer import FeedbackProducer
from ingest.runner import RunSummary
from ingest.service import run_pull
from ingest.settings import ConnectorSettings
from radar.errors import ConfigError
from radar.settings import CoreSettings
from radar.topics import ensure_topics

log = logging.getLogger(__name__)

#: Shortest token or HMAC secret taken on an address other machines can reach.
MIN_SECRET_CHARS = 32


class PushSettings(ConnectorSettings):
    """Where a push endpoint listens and who may post to it."""

    host: str = Field("127.0.0.1", description="Address the endpoint listens on")
    port: int = Field(8311, ge=1, le=65535, description="Port of POST /submit")
    token: SecretStr | None = Field(None, description="Shared token senders must present")
    hmac_secret: SecretStr | None = Field(
        None,
        description="Secret for X-Radar-Signature (HMAC-SHA256 of X-Radar-Timestamp.body)",
    )
    signature_window_s: float = Field(
        300.0, gt=0, le=3600, description="How far a signed request's timestamp may be from now"
    )
    client_rate: float = Field(
        20.0, ge=0, description="Requests a second one client address may send (0: no limit)"
    )
    client_burst: int = Field(200, ge=1, description="Requests one client may send at once")
    max_waiting: int = Field(
        64, ge=1, description="Requests waiting for Kafka before others are told to retry (503)"
    )

    def auth(self) -> Auth:
        return Auth(
            token=self.token.get_secret_value() if self.token else None,
            hmac_secret=self.hmac_secret.get_secret_value() if self.hmac_secret else None,
            window_s=self.signature_window_s,
        )

    def limits(self) -> Limits:
        return Limits(self.client_rate, self.client_burst, self.max_waiting)

    def check_exposure(self) -> None:
        """Refuse an endpoint others can reach that anyone may post to, or a guessable secret.

        On loopback (a developer's machine, or behind a proxy on the same host)
        a missing or short secret is allowed, with a warning.
        """
        auth = self.auth()
        secrets = [s for s in (auth.token, auth.hmac_secret) if s is not None]
        if _loopback(self.host):
            if auth.anyone:
                log.warning("the endpoint on %s takes posts from anyone on this machine", self.host)
            return
        if auth.anyone:
            msg = (
                f"refusing to listen on {self.host} without a token or HMAC secret: anyone could "
                "post as your customers; set the endpoint's _TOKEN or _HMAC_SECRET (32+ random "
                "characters, e.g. `openssl rand -hex 24`), or listen on 127.0.0.1"
            )
            raise ConfigError(msg)
        if any(len(secret) < MIN_SECRET_CHARS for secret in secrets):
            msg = (
                f"the endpoint's token or HMAC secret is shorter than {MIN_SECRET_CHARS} "
                f"characters; on {self.host} use a random one (`openssl rand -hex 24`)"
            )
            raise ConfigError(msg)


def serve_endpoint(
    channel: str, default_source: str, parse: FieldsParser, settings: PushSettings
) -> None:
    """Run the channel's HTTP endpoint until SIGTERM/SIGINT."""
    settings.check_exposure()
    if settings.metrics_port and settings.metrics_port == settings.port:
        msg = "the metrics port must differ from the public port (metrics are internal)"
        raise ConfigError(msg)
    core = CoreSettings()
    ensure_topics(core)
    serve_metrics(settings.metrics_port, core.metrics_host)
    normaliser = make_normaliser(channel, settings.source or default_source, core, settings)
    with FeedbackProducer(core, client_id=f"radar-ingest-{channel}") as producer:
        emitter = Emitter(producer, normaliser, dedupe=make_dedupe(core, settings))
        intake = Intake(emitter, parse, settings.auth(), settings.limits())
        serve(intake, settings.host, settings.port, settings.heartbeat_interval_s)


def replay_files(
    channel: str,
    default_source: str,
    parse: FieldsParser,
    paths: Sequence[Path],
    settings: PushSettings,
    *,
    follow: bool,
    quiet: bool,
    as_json: bool,
) -> RunSummary:
    """Replay payloads saved as JSON lines (one submission or mention per line)."""

    def make(core: CoreSettings) -> FileConnector:
        normaliser = make_normaliser(channel, settings.source or default_source, core, settings)
        connector = FileConnector(list(paths), normaliser, transform=parse, follow=follow)
        connector.name = f"{channel}-replay"
        return connector

    return run_pull(make, settings, follow=follow, quiet=quiet, as_json=as_json)


def _loopback(host: str) -> bool:
    if host in {"localhost", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name that resolves elsewhere, or every address ("", "0.0.0.0")
