"""``radar api``: serve the HTTP API; ``radar api token`` makes a client's token."""

from __future__ import annotations

import json
import logging

import click

from radar.errors import ConfigError

log = logging.getLogger(__name__)


@click.group(invoke_without_command=True)
@click.option("--host", help="Listen address (default RADAR_API_HOST, 127.0.0.1)")
@click.option("--port", type=int, help="Port (default RADAR_API_PORT, 8320)")
@click.pass_context
def api(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the HTTP API (events, figures, signals, incidents, exports) until stopped.

    Clients and their roles come from RADAR_API_CLIENTS (see docs/api.md).
    """
    if ctx.invoked_subcommand is not None:
        return
    from aiohttp import web

    from api.app import build_app
    from api.auth import check_exposure
    from api.context import ApiState
    from api.settings import ApiSettings
    from radar.settings import CoreSettings
    from radar.store import Store

    settings = ApiSettings.load(host=host, port=port)
    check_exposure(settings)
    if settings.metrics_port:
        if settings.metrics_port == settings.port:
            msg = "RADAR_API_METRICS_PORT must differ from RADAR_API_PORT (metrics are internal)"
            raise ConfigError(msg)
        from prometheus_client import start_http_server

        core = CoreSettings()
        start_http_server(settings.metrics_port, addr=core.metrics_host)
    core = CoreSettings()
    state = ApiState.build(Store.from_settings(core), settings, core)
    click.echo(
        f"radar api on http://{settings.host}:{settings.port} "
        f"({len(settings.clients)} clients), Ctrl-C stops",
        err=True,
    )
    web.run_app(build_app(state), host=settings.host, port=settings.port, print=None)


@api.command("token")
@click.option("--name", required=True, help="The client's name (the actor on timelines)")
@click.option(
    "--role",
    type=click.Choice(["viewer", "oncall", "admin"]),
    default="viewer",
    show_default=True,
    help="What the client may do",
)
@click.option("--shop", "shops", multiple=True, help="A shop the client sees (repeat); none: all")
def token(name: str, role: str, shops: tuple[str, ...]) -> None:
    """Print a new random token (once) and the RADAR_API_CLIENTS entry with its SHA-256."""
    from api.auth import digest, new_token

    secret = new_token()
    entry: dict[str, object] = {"role": role, "token_sha256": digest(secret)}
    if shops:
        entry["shops"] = list(shops)
    click.echo(f"token (give it to the client; it is not shown again): {secret}", err=True)
    click.echo(json.dumps({name: entry}, ensure_ascii=False))
