"""Where the other services answer, for the API proxy (``/api/<service>/...``).

In order: ``PORCHLIGHT_WEB_UPSTREAMS`` (a JSON object, e.g. ``{"intake": "http://intake:8001"}``,
what a Kubernetes deployment sets); in standalone mode the ports ``porchlight run`` wrote to
``<data_dir>/runtime.json``; then ``PORCHLIGHT_<SERVICE>_PORT``; then the service's default port,
on the configured host.
"""

from __future__ import annotations

import json

from pydantic_settings import BaseSettings, SettingsConfigDict

from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings, service_port


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_WEB_", extra="ignore")

    #: Base URL per service name; services left out are found as the module docstring says.
    upstreams: dict[str, str] = {}


def resolve_upstreams(kit: KitSettings, web: WebSettings) -> dict[str, str]:
    """Base URL of every installed service but the dashboard itself."""
    ports: dict[str, int] = {}
    runtime = kit.data_dir / "runtime.json"
    if kit.mode == "standalone" and runtime.exists():
        ports = {k: int(v) for k, v in json.loads(runtime.read_text()).get("ports", {}).items()}
    out = {}
    for name, spec in discover_services().items():
        if name == "dashboard":
            continue
        if name in web.upstreams:
            out[name] = web.upstreams[name].rstrip("/")
            continue
        port = ports.get(name) or service_port(name, spec.default_port)
        out[name] = f"http://{kit.host}:{port}"
    return out
