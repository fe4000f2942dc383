"""Streamlit building blocks: state, cached resources, widgets and renderers."""
