"""The place unit: H3 cells at resolution 10.

A resolution-10 cell has ~66 m edges and is ~130-150 m across: about one city block, the "same
block" of a streetlight outage and the thefts around it. Risk surfaces and connections name
places by these cells (docs/adr/0011).
"""

from __future__ import annotations

import h3

RESOLUTION = 10


def cell_of(lat: float, lon: float, resolution: int = RESOLUTION) -> str:
    return str(h3.latlng_to_cell(lat, lon, resolution))
