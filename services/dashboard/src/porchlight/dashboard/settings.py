"""Dashboard's own settings (``PORCHLIGHT_DASHBOARD_*``, and the web UI's ``PORCHLIGHT_WEB_*``), read
once when the service starts (provided by the runtime), never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from porchlight.kit.app import Provided
from porchlight.kit.settings import service_port


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
    #: Where residents reach the public pages (e.g. ``https://engage.city.example``): the links
    #: in feeds, emails and the flyers' QR codes. Unset: the address the request came to.
    public_url: str | None = None
    #: Where residents' browsers reach intake's public routes (e.g. ``https://engage.city.example/api/intake``):
    #: the public page's "Get these updates by email" form posts to this address +
    #: ``/v1/public/subscriptions/form``. Unset: intake's address as the web UI's proxy finds it
    #: (``PORCHLIGHT_WEB_UPSTREAMS``, else its port on this machine), right when the browser is on
    #: this machine or the network the services listen on; set it when intake is reached through
    #: the ingress (an in-cluster address is no use to a browser).
    subscribe_url: str | None = None
    #: Webhooks: the wait before each retry of a failed POST (seconds); once they are spent the
    #: delivery is a dead letter (kept, retried by an admin). About a day in all by default.
    webhook_backoff_s: list[float] = [10, 60, 300, 1800, 3600, 7200, 14400, 43200]
    #: How long an endpoint has to answer a POST.
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60)

    def public_base(self) -> str:
        """The address residents reach the public pages at (the default: this machine's dashboard)."""
        return (self.public_url or f"http://127.0.0.1:{service_port('dashboard', 8000)}").rstrip("/")


class WebSettings(BaseSettings):
    """Where the web UI's API proxy finds the other services (web/service.py says the order)."""

    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_WEB_", extra="ignore")

    #: Base URL per service name, e.g. ``{"intake": "http://intake:8001"}`` (what a Kubernetes
    #: deployment sets as JSON); services left out are found by their ports.
    upstreams: dict[str, str] = {}


#: The route dependency on the dashboard's settings (provided by the runtime at start).
Config = Annotated[DashboardSettings, Provided(DashboardSettings)]
