"""``radar dashboard``: serve the Streamlit app; ``hash-password`` makes a user's password hash."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from dashboard.settings import DashboardSettings

APP = Path(__file__).with_name("app.py")
ROLES = ("manager", "oncall", "product", "admin")


def streamlit_command(settings: DashboardSettings) -> list[str]:
    """The command line that serves the dashboard (headless, no usage statistics).

    Errors show no details: a traceback names files, SQL and its parameters to
    anyone who can load a page, signed in or not (the log keeps them).
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        settings.host,
        "--server.port",
        str(settings.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
    ]


def check_link_secret() -> None:
    """Refuse to serve with a link secret the incidents page could not check links with.

    Raises :class:`radar.errors.ConfigError` saying what to set: before, a key under
    16 bytes passed startup and failed on the first alert link someone opened.
    """
    from alerts import AlertsSettings, link_secret
    from radar.settings import CoreSettings

    link_secret(AlertsSettings(), CoreSettings())


def prepare_store(settings: DashboardSettings) -> None:
    """Create missing tables and indexes and bring the roll-ups up to date before serving.

    The first time on a big store this reads every event once (minutes for
    millions); afterwards only what arrived since, so the first page is quick.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from radar.settings import CoreSettings
    from radar.store import Store
    from radar.store.refresh import refresh_rollups
    from radar.store.rollups import ResponseSla

    core = CoreSettings()
    click.echo("bringing the store's roll-ups up to date ...")
    started = time.monotonic()
    try:
        store = Store.from_settings(core)
        sla = ResponseSla(settings.sla_hours, dict(settings.sla_hours_by_channel))
        done = refresh_rollups(store, sla, timezone=core.timezone)
    except SQLAlchemyError as exc:
        shown = make_url(core.resolved_store_url).render_as_string(hide_password=True)
        msg = f"cannot use the store at {shown}: {exc}; check RADAR_STORE_URL and the database"
        raise click.ClickException(msg) from exc
    click.echo(
        f"  {done['hours']} hours, {done['days']} days, {done['texts']} sampled texts "
        f"in {time.monotonic() - started:.1f}s"
    )


@click.group(invoke_without_command=True)
@click.option("--host", help="Listen address (default RADAR_DASHBOARD_HOST, 127.0.0.1)")
@click.option("--port", type=int, help="Port (default RADAR_DASHBOARD_PORT, 8501)")
@click.pass_context
def dashboard(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the dashboard (Streamlit) until stopped; users come from RADAR_DASHBOARD_USERS."""
    if ctx.invoked_subcommand is not None:
        return
    settings = DashboardSettings.load(host=host, port=port)
    if not settings.users:
        click.secho(
            "no users configured: nobody can sign in. Make hashes with "
            "`radar dashboard hash-password` and set RADAR_DASHBOARD_USERS (see docs/dashboard.md)",
            fg="yellow",
            err=True,
        )
    check_link_secret()
    prepare_store(settings)
    click.echo(f"dashboard on http://{settings.host}:{settings.port}")
    command = streamlit_command(settings)
    os.execv(command[0], command)  # noqa: S606 - replaces this process with streamlit


@dashboard.command("refresh")
def refresh_command() -> None:
    """Bring the store's roll-ups up to date once (the worker does it every
    RADAR_WORKER_ROLLUP_INTERVAL_S; this is for a store no worker keeps)."""
    prepare_store(DashboardSettings.load())


@dashboard.command("hash-password")
@click.option("--user", help="Also print a RADAR_DASHBOARD_USERS entry for this user name")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="manager",
    show_default=True,
    help="Role of that user",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (for scripts)")
def hash_password_command(user: str | None, role: str, password_stdin: bool) -> None:
    """Print an Argon2 hash of a password for the RADAR_DASHBOARD_USERS setting."""
    from dashboard.auth import hash_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if user:
        click.echo(json.dumps({user: {"role": role, "password_hash": hashed}}))
    else:
        click.echo(hashed)
