"""The web UI's start-up: where the API proxy finds the other services."""

from __future__ import annotations

from porchlight.dashboard.settings import WebSettings
from porchlight.dashboard.web.service import Upstreams
from porchlight.kit.runtime import ServiceRuntime


def provide_upstreams(runtime: ServiceRuntime) -> None:
    runtime.provide(Upstreams(runtime.settings, WebSettings()))
