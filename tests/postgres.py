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
from dataclasses import dataclass
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


@dataclass
class PostgresServer:
    """A running throwaway cluster: its URL, and stop/start for outage tests."""

    data: Path
    base: Path
    port: int

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database."""
        return f"postgresql+psycopg://radar@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.base / "pg.log")
        command = [_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"]
        subprocess.run(_as_server_user(command), check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        """``fast``: connections are cut, as when the server goes away under its clients."""
        command = [_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]
        subprocess.run(_as_server_user(command), check=False, capture_output=True)


@contextmanager
def postgres_cluster() -> Iterator[PostgresServer]:
    """Start a throwaway cluster (trust auth, no fsync) on a free loopback port."""
    initdb = _bin("initdb")
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
    server = PostgresServer(data, base, free_port())
    server.start()
    try:
        yield server
    finally:
        # the cluster is thrown away: no clean shutdown to wait for (at the end of a whole
        # test run a fast stop once took pg_ctl's full 60 s wait)
        server.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway cluster; yields a SQLAlchemy URL of its ``postgres`` database."""
    with postgres_cluster() as server:
        yield server.url
