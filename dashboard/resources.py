"""Dashboard: shared resources (settings and the store connection), created once per server."""

from __future__ import annotations

import streamlit as st

from dashboard.settings import DashboardSettings
from radar.settings import CoreSettings
from radar.store import Store


@st.cache_resource
def settings() -> DashboardSettings:
    return DashboardSettings()


@st.cache_resource
def store() -> Store:
    return Store.from_settings(CoreSettings())
