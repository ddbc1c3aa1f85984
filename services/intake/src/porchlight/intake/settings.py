"""Intake's own settings (``PORCHLIGHT_INTAKE_*``), read when the app starts, never at import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_INTAKE_", extra="ignore")

    #: Largest note accepted, in bytes of JSON (the issue's 20 KB).
    max_note_bytes: int = 20_000
    #: Kitchen-table meetings: more residents than this is accepted with a warning.
    kitchen_table_max: int = 9
    #: Dates further in the future than this are refused (clock skew of phones allowed).
    max_future_hours: int = 24


def settings_of(state: Any) -> IntakeSettings:
    """Intake's settings of an app (its ``state``), read once, at the first request needing them."""
    settings = getattr(state, "intake_settings", None)
    if not isinstance(settings, IntakeSettings):
        settings = state.intake_settings = IntakeSettings()
    return settings


async def intake_settings(request: Request) -> IntakeSettings:
    # async on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, a thread
    # hand-off per request for an attribute lookup.
    return settings_of(request.app.state)


#: The dependency routes declare to get intake's settings.
Config = Annotated[IntakeSettings, Depends(intake_settings)]
