"""Quarterly priorities for a place."""
