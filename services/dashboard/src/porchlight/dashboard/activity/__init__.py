"""Engagement activity per district, projected from events."""
