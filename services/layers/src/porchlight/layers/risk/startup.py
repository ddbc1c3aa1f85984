"""Start-up: the fitted models' cache, shared by the risk routes."""

from __future__ import annotations

from porchlight.kit.runtime import ServiceRuntime
from porchlight.layers.risk.service import Assessments
from porchlight.layers.settings import LayersSettings


def provide_assessments(runtime: ServiceRuntime) -> None:
    runtime.provide(Assessments(runtime.resource(LayersSettings).risk_cache_size))
