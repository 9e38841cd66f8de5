"""Dashboard: shared resources (settings and the store connection), created once per server."""

from __future__ import annotations

import streamlit as st

from dashboard import metrics
from dashboard.settings import DashboardSettings
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.indexes import refresh_statistics
from radar.store.rollups import ResponseSla


@st.cache_resource
def settings() -> DashboardSettings:
    return DashboardSettings()


@st.cache_resource
def core() -> CoreSettings:
    return CoreSettings()


@st.cache_resource
def store() -> Store:
    """The store, at this release's schema (its indexes included), with fresh planner statistics."""
    opened = Store.from_settings(core())
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
