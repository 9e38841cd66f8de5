"""``radar dashboard``: serve the Streamlit app; ``hash-password`` makes a user's password hash."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from dashboard.settings import DashboardSettings

APP = Path(__file__).with_name("app.py")
ROLES = ("manager", "oncall", "product", "admin")


def streamlit_command(settings: DashboardSettings) -> list[str]:
    """The command line that serves the dashboard (headless, no usage statistics)."""
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
    ]


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
    click.echo(f"dashboard on http://{settings.host}:{settings.port}")
    command = streamlit_command(settings)
    os.execv(command[0], command)  # noqa: S606 - replaces this process with streamlit


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
