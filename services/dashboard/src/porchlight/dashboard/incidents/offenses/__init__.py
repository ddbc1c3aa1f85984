"""Offence codes: a city's codes mapped onto NIBRS offences (pure: no database, no HTTP)."""
