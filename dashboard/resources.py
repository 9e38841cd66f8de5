"""Dashboard: shared resources (settings and the store connection), created once per server."""

from __future__ import annotations

import streamlit as st

from dashboard import metrics
from dashboard.settings import DashboardSettings
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.indexes import ensure_indexes, refresh_statistics
from radar.store.rollups import ResponseSla


@st.cache_resource
def settings() -> DashboardSettings:
    return DashboardSettings()


@st.cache_resource
def core() -> CoreSettings:
    return CoreSettings()


@st.cache_resource
def store() -> Store:
    """The store, with the dashboard's indexes in place and fresh planner statistics."""
    opened = Store.from_settings(core())
    ensure_indexes(opened.engine)
    refresh_statistics(opened.engine)
    return opened


@st.cache_resource
def metrics_server() -> bool:
    """Prometheus ``/metrics`` of this server process, started by the first session."""
    return metrics.serve(settings().metrics_port, core().metrics_host)


def default_language() -> str:
    """The interface language before anyone switches: the dashboard's own, else RADAR_LANGUAGE."""
    return settings().language or core().language


def response_sla() -> ResponseSla:
    config = settings()
    return ResponseSla(config.sla_hours, dict(config.sla_hours_by_channel))
