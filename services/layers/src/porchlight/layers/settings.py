"""Layers' own settings (``PORCHLIGHT_LAYERS_*``), read once when the service starts (provided by
the runtime), never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic_settings import BaseSettings, SettingsConfigDict

from porchlight.kit.app import Provided


class LayersSettings(BaseSettings):
    """The layers service's tunables (``PORCHLIGHT_LAYERS_*``)."""

    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_LAYERS_", extra="ignore")

    #: The city's districts as GeoJSON (same file as the dashboard's). Unset: the demo city.
    places_file: Path | None = None
    #: The departments and their layers (YAML, see registry/demo_registry.yaml). Unset: the demo
    #: city's. A record for a department or layer not named there is refused.
    registry_file: Path | None = None
    #: Records farther than this outside every district are refused as "outside the city" (a
    #: record a few metres over the boundary, on the boundary street, is kept without a district).
    outside_tolerance_m: float = 250.0
    #: The same-block connection rules (YAML, see connections/rules/demo_rules.yaml) that seed the
    #: city's rule set the first time; after that the rules are edited over the API. Unset: the demo's.
    rules_file: Path | None = None
    #: Load the demo city's department layers (Boston 311) when layers has no record yet
    #: (``make run`` sets it; see imports/startup.py).
    demo_on_empty: bool = False
    #: How often the connections worker looks for changes (seconds).
    connections_tick_s: float = 1.0
    #: The risk terrain counts the incidents of this many days back from today...
    risk_incident_days: int = 365
    #: ...near the features of each layer present at some time in this many days back: the
    #: conditions that stood before and while the incidents happened.
    risk_feature_days: int = 730
    #: Fitted risk models kept (district x offences); any new or changed record refits.
    risk_cache_size: int = 32


#: The route dependency on the layers settings (provided by the runtime at start).
Config = Annotated[LayersSettings, Provided(LayersSettings)]
