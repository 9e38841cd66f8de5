"""Dashboard queries: SQL against the store with bound parameters (no streamlit here)."""
