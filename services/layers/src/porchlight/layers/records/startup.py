"""Start-up: the registry and the city's districts, read once and provided to routes and handlers."""

from __future__ import annotations

from porchlight.kit.city import load_city
from porchlight.kit.runtime import ServiceRuntime
from porchlight.layers.places import Locator
from porchlight.layers.records.service import Places
from porchlight.layers.registry import load_registry
from porchlight.layers.settings import LayersSettings


def places_of(settings: LayersSettings) -> Places:
    return Places(
        registry=load_registry(settings.registry_file),
        locator=Locator(load_city(settings.places_file), settings.outside_tolerance_m),
    )


def provide_places(runtime: ServiceRuntime) -> None:
    runtime.provide(places_of(runtime.resource(LayersSettings)))
