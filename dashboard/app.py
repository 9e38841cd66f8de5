"""Dashboard: the Streamlit entry file; it only routes to the pages."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="Radar 客服舆情雷达", layout="wide")
navigation = st.navigation([st.Page(PAGES / "overview.py", title="总览 Overview", default=True)])
navigation.run()
