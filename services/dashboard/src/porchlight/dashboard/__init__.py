"""Porchlight dashboard: read models built from every event, reports, and the web UI."""
