"""``radar api`` serves the store to configured clients; ``radar api token`` makes a client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from api.auth import digest
from api.cli import api
from tests.ports import free_port


def test_token_prints_the_entry_with_the_tokens_digest() -> None:
    result = CliRunner().invoke(
        api, ["token", "--name", "ticketing", "--role", "oncall", "--shop", "旗舰店"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    token = lines[0].rsplit(" ", 1)[1]
    entry = json.loads(lines[-1])
    assert len(token) >= 43
    assert entry == {
        "ticketing": {"role": "oncall", "token_sha256": digest(token), "shops": ["旗舰店"]}
    }


def test_radar_api_serves_until_stopped(isolated_settings: Path) -> None:
    token = "k" * 40
    port = free_port()
    env = {
        **os.environ,
        "RADAR_API_PORT": str(port),
        "RADAR_API_CLIENTS": json.dumps({"bi": {"role": "viewer", "token_sha256": digest(token)}}),
    }
    radar = Path(sys.executable).with_name("radar")
    server = subprocess.Popen([str(radar), "api"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "radar api did not answer"
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        answer = httpx.get(f"{url}/api/v1/events", headers=headers, timeout=10)
        assert answer.status_code == 200
        assert answer.json() == {"items": [], "next_cursor": None}
        assert httpx.get(f"{url}/api/v1/events", timeout=10).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
