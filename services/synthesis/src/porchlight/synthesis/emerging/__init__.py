"""Emerging topics: what residents raise that no topic of the taxonomy fits."""
