"""Benchmarks: a throwaway Kafka broker on free loopback ports, in a folder of the caller's."""

from __future__ import annotations

import socket
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


__all__ = ["free_port", "start_broker"]
