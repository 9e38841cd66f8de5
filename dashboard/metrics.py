"""Dashboard: Prometheus metrics of the Streamlit app (pages, sign-ins, incident actions).

Streamlit runs every session's script in one server process, so the metrics
live in that process and are served once, on ``RADAR_DASHBOARD_METRICS_PORT``
(0: off), next to the app's own port.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import Counter, Histogram, start_http_server

log = logging.getLogger(__name__)

PAGE_VIEWS = Counter("radar_dashboard_page_views", "Pages rendered, by page", ["page"])
PAGE_SECONDS = Histogram(
    "radar_dashboard_page_seconds",
    "Time one page took to render, its queries included",
    ["page"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
PAGE_ERRORS = Counter(
    "radar_dashboard_page_errors", "Pages that stopped with an error (the store, a bug)", ["page"]
)
SIGN_INS = Counter("radar_dashboard_sign_ins", "Sign-in attempts, by outcome", ["outcome"])
INCIDENT_ACTIONS = Counter(
    "radar_dashboard_incident_actions",
    "Incident actions taken on the dashboard, by action and outcome (done or refused)",
    ["action", "outcome"],
)

_served: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


def serve(port: int, host: str = "127.0.0.1") -> bool:
    """Serve ``/metrics`` on ``host:port`` once per process (0: off); True when serving."""
    if not port:
        return False
    with _lock:
        if (host, port) not in _served:
            server, _thread = start_http_server(port, addr=host)
            _served[(host, port)] = server
            log.info("dashboard metrics on http://%s:%d/metrics", host, port)
    return True


@contextlib.contextmanager
def page(name: str) -> Iterator[None]:
    """Count and time one page run; an error counts, Streamlit's stop and rerun do not."""
    started = time.perf_counter()
    PAGE_VIEWS.labels(page=name).inc()
    try:
        yield
    except Exception:
        PAGE_ERRORS.labels(page=name).inc()
        raise
    finally:
        PAGE_SECONDS.labels(page=name).observe(time.perf_counter() - started)


def signed_in(ok: bool) -> None:
    SIGN_INS.labels(outcome="success" if ok else "failure").inc()


def incident_action(action: str, ok: bool) -> None:
    INCIDENT_ACTIONS.labels(action=action, outcome="done" if ok else "refused").inc()
