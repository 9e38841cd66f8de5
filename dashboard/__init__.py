"""Dashboard: the Streamlit app for managers, on-call staff and product teams."""
