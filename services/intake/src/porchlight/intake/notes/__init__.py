"""Standardized notes of micro-meetings."""
