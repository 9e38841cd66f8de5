"""HTTP API: Prometheus metrics of ``radar api``, on ``RADAR_API_METRICS_PORT`` (not the API's)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "radar_api_requests_total",
    "API requests by route (the path template), method and status",
    ["route", "method", "status"],
)
SECONDS = Histogram(
    "radar_api_request_seconds",
    "Time to answer an API request, by route",
    ["route"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def answered(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    SECONDS.labels(route).observe(seconds)
