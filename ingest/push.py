"""Connectors: push channels (HTTP endpoint or JSON-lines replay), shared by surveys and social."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, SecretStr

from ingest.emitter import Emitter, make_dedupe, make_normaliser
from ingest.folder import FileConnector
from ingest.intake import Auth, FieldsParser, Intake, serve
from ingest.metrics import serve_metrics
from ingest.producer import FeedbackProducer
from ingest.runner import RunSummary
from ingest.service import run_pull
from ingest.settings import ConnectorSettings
from radar.settings import CoreSettings
from radar.topics import ensure_topics


class PushSettings(ConnectorSettings):
    """Where a push endpoint listens and who may post to it."""

    host: str = Field("127.0.0.1", description="Address the endpoint listens on")
    port: int = Field(8311, ge=1, le=65535, description="Port of POST /submit")
    token: SecretStr | None = Field(None, description="Shared token senders must present")
    hmac_secret: SecretStr | None = Field(
        None, description="Secret for X-Radar-Signature (HMAC-SHA256 of the body)"
    )

    def auth(self) -> Auth:
        return Auth(
            token=self.token.get_secret_value() if self.token else None,
            hmac_secret=self.hmac_secret.get_secret_value() if self.hmac_secret else None,
        )


def serve_endpoint(
    channel: str, default_source: str, parse: FieldsParser, settings: PushSettings
) -> None:
    """Run the channel's HTTP endpoint until SIGTERM/SIGINT."""
    core = CoreSettings()
    ensure_topics(core)
    serve_metrics(settings.metrics_port, core.metrics_host)
    normaliser = make_normaliser(channel, settings.source or default_source, core, settings)
    with FeedbackProducer(core, client_id=f"radar-ingest-{channel}") as producer:
        emitter = Emitter(producer, normaliser, dedupe=make_dedupe(core, settings))
        intake = Intake(emitter, parse, settings.auth())
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
