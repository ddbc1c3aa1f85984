"""Dashboard's own settings (``PORCHLIGHT_DASHBOARD_*``, and the web UI's ``PORCHLIGHT_WEB_*``), read
once when the service starts (provided by the runtime), never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from porchlight.kit.app import Provided


class DashboardSettings(BaseSettings):
    """The dashboard's tunables (``PORCHLIGHT_DASHBOARD_*``)."""

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
    #: The share of the demo quarter to load (1: all of it, ~700 notes and ~18,000 incidents; the
    #: tests of ``make run``'s terminal load a tenth).
    demo_scale: float = Field(default=1.0, gt=0, le=1)


class WebSettings(BaseSettings):
    """Where the web UI's API proxy finds the other services (web/service.py says the order)."""

    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_WEB_", extra="ignore")

    #: Base URL per service name, e.g. ``{"intake": "http://intake:8001"}`` (what a Kubernetes
    #: deployment sets as JSON); services left out are found by their ports.
    upstreams: dict[str, str] = {}


#: The route dependency on the dashboard's settings (provided by the runtime at start).
Config = Annotated[DashboardSettings, Provided(DashboardSettings)]
