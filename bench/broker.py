"""Benchmarks: a throwaway Kafka broker on free loopback ports, and the prepared model cache."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from radar.broker import LocalBroker
from radar.settings import BrokerSettings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_broker(home: Path) -> LocalBroker:
    """A single-node broker under ``home / "kafka"`` (jars from the project's cache), running."""
    broker = LocalBroker(
        BrokerSettings(
            port=free_port(),
            controller_port=free_port(),
            cache_dir=ROOT / ".cache" / "kafka",
            heap_mb=1024,
        ),
        home / "kafka",
    )
    print(f"starting Kafka in {home} ...", flush=True)
    broker.start()
    return broker


def model_cache() -> Path:
    """The derived model tables, built once (``radar sentiment prepare``) and shared by runs.

    A worker on an empty cache builds them at start, with a peak of about 650 MB
    that says nothing about running; deployments keep the cache in their data dir.
    """
    cache = ROOT / ".cache" / "models"
    radar = str(Path(sys.executable).with_name("radar"))
    env = {**os.environ, "RADAR_CACHE_DIR": str(cache)}
    subprocess.run([radar, "sentiment", "prepare"], env=env, check=True, capture_output=True)
    return cache


__all__ = ["free_port", "model_cache", "start_broker"]
