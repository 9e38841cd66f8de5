"""Dashboard analysis: pure functions behind the views (no streamlit, no SQL)."""
