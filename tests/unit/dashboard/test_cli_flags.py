"""How `radar dashboard` starts Streamlit: nothing a visitor should not see."""

from __future__ import annotations

from dashboard.cli import streamlit_command
from dashboard.settings import DashboardSettings


def test_errors_show_no_traceback_to_visitors() -> None:
    command = streamlit_command(DashboardSettings())
    flags = dict(zip(command[5::2], command[6::2], strict=False))
    assert flags["--client.showErrorDetails"] == "none"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.address"] == "127.0.0.1"  # reachable from elsewhere only when set
