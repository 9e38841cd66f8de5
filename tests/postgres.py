"""A throwaway PostgreSQL server (Debian's package) on a free loopback port, for store tests."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.needs import require
from tests.ports import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return require(
        found[-1] if found else name, "install Debian's postgresql: apt-get install postgresql"
    )


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser") or "runuser"
    return [runuser, "-u", "postgres", "--", *command]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway cluster; yields a SQLAlchemy URL of its ``postgres`` database."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    # a folder of its own directly under the system temp dir, so the server user can reach it
    base = Path(tempfile.mkdtemp(prefix="radar-pg-"))
    data = base / "pgdata"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    subprocess.run(
        _as_server_user([initdb, "-D", str(data), "-U", "radar", "--auth=trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "pg.log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield f"postgresql+psycopg://radar@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)
