"""Dashboard's own settings (``PORCHLIGHT_DASHBOARD_*``), read when asked, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_DASHBOARD_", extra="ignore")

    #: The city's districts as GeoJSON (same format as ``porchlight places load``). Unset: the
    #: demo city shipped with the dashboard (a copy of intake's, kept equal by a test).
    places_file: Path | None = None
    #: A held meeting counts its ``duration_minutes`` (meeting.scheduled) as engagement time (the
    #: hosts' time, next to the officers' logged contact minutes); a meeting without one, or a
    #: note filed without a meeting, counts this many hours.
    meeting_hours: float = 1.0
    #: Load the demo quarter when the dashboard has no data yet (``make run`` sets it; see demo/startup.py).
    demo_on_empty: bool = False
