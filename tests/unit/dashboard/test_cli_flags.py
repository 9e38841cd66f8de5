"""How `radar dashboard` starts Streamlit: nothing a visitor should not see."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dashboard.cli import streamlit_command
from dashboard.settings import DashboardSettings
from radar.errors import ConfigError


def test_errors_show_no_traceback_to_visitors() -> None:
    command = streamlit_command(DashboardSettings())
    flags = dict(zip(command[5::2], command[6::2], strict=False))
    assert flags["--client.showErrorDetails"] == "none"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.address"] == "127.0.0.1"  # reachable from elsewhere only when set


def test_a_link_secret_under_16_bytes_stops_the_dashboard_at_startup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, it passed startup and the incidents page failed on the first alert link."""
    from dashboard import cli

    started: list[object] = []
    monkeypatch.setattr(cli, "prepare_store", started.append)
    monkeypatch.setattr(cli.os, "execv", lambda *args: started.append(args))
    monkeypatch.setenv("RADAR_ALERTS_LINK_SECRET", "too-short")
    result = CliRunner().invoke(cli.dashboard, [])
    assert isinstance(result.exception, ConfigError) and started == []
    assert "RADAR_ALERTS_LINK_SECRET" in str(result.exception)
    assert "at least 16" in str(result.exception)
    monkeypatch.setenv("RADAR_ALERTS_LINK_SECRET", "a-sixteen-byte-key")
    result = CliRunner().invoke(cli.dashboard, [])
    assert result.exception is None and len(started) == 2  # the store prepared, Streamlit run
