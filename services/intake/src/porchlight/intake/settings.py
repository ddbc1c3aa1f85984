"""Intake's own settings (``PORCHLIGHT_INTAKE_*``), read when the app starts, never at import."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_INTAKE_", extra="ignore")

    #: Largest note accepted, in bytes of JSON (the issue's 20 KB).
    max_note_bytes: int = 20_000
    #: Kitchen-table meetings: more residents than this is accepted with a warning.
    kitchen_table_max: int = 9
    #: Dates further in the future than this are refused (clock skew of phones allowed).
    max_future_hours: int = 24
