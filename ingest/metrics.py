"""Connectors: Prometheus metrics every connector exposes on ``/metrics``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, start_http_server

log = logging.getLogger(__name__)

_LABELS = ("channel", "source")

READ = Counter("radar_ingest_records_read", "Records read from the source", _LABELS)
PRODUCED = Counter(
    "radar_ingest_records_produced", "Events acknowledged by Kafka on feedback.raw", _LABELS
)
REJECTED = Counter(
    "radar_ingest_records_rejected",
    "Records sent to feedback.deadletter (or refused by an endpoint), by reason",
    (*_LABELS, "reason"),
)
DUPLICATES = Counter(
    "radar_ingest_duplicates_flagged", "Events flagged as likely duplicates of another", _LABELS
)
LAST_SUCCESS = Gauge(
    "radar_ingest_last_success_timestamp_seconds",
    "When Kafka last acknowledged this source's records (Unix time)",
    _LABELS,
)
LAG = Gauge(
    "radar_ingest_lag_seconds",
    "How far the newest record sent is behind the wall clock (0 when caught up)",
    _LABELS,
)
UP = Gauge("radar_ingest_source_up", "1 when the last poll of the source worked", _LABELS)
BACKLOG = Gauge(
    "radar_ingest_backlog_ratio", "Share of a backfill still to do (0..1, when known)", _LABELS
)


@dataclass(frozen=True)
class ConnectorMetrics:
    """The metrics of one source (the labels bound once)."""

    channel: str
    source: str

    def _labels(self) -> dict[str, str]:
        return {"channel": self.channel, "source": self.source}

    def read(self, n: int = 1) -> None:
        READ.labels(**self._labels()).inc(n)

    def produced(self, n: int) -> None:
        PRODUCED.labels(**self._labels()).inc(n)

    def rejected(self, reason: str, n: int = 1) -> None:
        REJECTED.labels(**self._labels(), reason=reason).inc(n)

    def duplicate(self) -> None:
        DUPLICATES.labels(**self._labels()).inc()

    def succeeded(self, at_epoch_s: float) -> None:
        LAST_SUCCESS.labels(**self._labels()).set(at_epoch_s)

    def lag(self, seconds: float) -> None:
        LAG.labels(**self._labels()).set(max(0.0, seconds))

    def up(self, ok: bool) -> None:
        UP.labels(**self._labels()).set(1 if ok else 0)

    def backlog(self, ratio: float) -> None:
        BACKLOG.labels(**self._labels()).set(min(1.0, max(0.0, ratio)))


def serve_metrics(
    port: int, host: str = "127.0.0.1", registry: CollectorRegistry = REGISTRY
) -> Any:
    """Serve ``/metrics`` on ``host:port`` in a background thread (0: do nothing)."""
    if not port:
        return None
    server, _thread = start_http_server(port, addr=host, registry=registry)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server
