"""Porchlight projects: quarterly priorities broken into small, visible micro-projects."""
