"""Positive community contacts: officers' time with residents, apart from patrol and enforcement."""
