"""``radar dashboard``: start the Streamlit app on the configured host and port."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from dashboard.settings import DashboardSettings

APP = Path(__file__).with_name("app.py")


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


@click.command()
@click.option("--host", help="Listen address (default RADAR_DASHBOARD_HOST, 127.0.0.1)")
@click.option("--port", type=int, help="Port (default RADAR_DASHBOARD_PORT, 8501)")
def dashboard(host: str | None, port: int | None) -> None:
    """Serve the dashboard (Streamlit) until stopped."""
    settings = DashboardSettings.load(host=host, port=port)
    click.echo(f"dashboard on http://{settings.host}:{settings.port}")
    command = streamlit_command(settings)
    os.execv(command[0], command)  # noqa: S606 - replaces this process with streamlit
