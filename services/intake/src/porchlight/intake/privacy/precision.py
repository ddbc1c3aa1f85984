"""How precise a point may be once it leaves intake (issue 15, "locations fit their purpose").

A contact's or a note's exact point is where residents were met: often a doorstep, a porch, a
kitchen table. Across months, exact points make a house-level trail of who talked to the police.
What the other services do with points needs a block, not a door: the map's dots, the district a
point falls in (intake resolves that itself, from the exact point), layers' same-block connections
(150 m around a record), the risk terrain's H3 cells of resolution 10 (~65 m edge).

So every point that leaves intake -- events, exports, lists for readers other than the one who
logged it -- is rounded to 3 decimal places: about 111 m north-south and 80 m east-west at
Boston's latitude (at most ~70 m from the true point), a block. The exact point stays in
intake's tables, for intake's own place resolution and for the person who logged it.
"""

from __future__ import annotations

from porchlight.events.catalog import GeoPoint

#: Decimal places a point keeps outside intake (3: ~100 m, a block; see the module docstring).
DECIMALS = 3


def coarse(value: float | None) -> float | None:
    """A coordinate rounded to a block (None stays None)."""
    return None if value is None else round(value, DECIMALS)


def coarse_point(point: GeoPoint | None) -> GeoPoint | None:
    """A point rounded to a block, for everything that leaves intake."""
    if point is None:
        return None
    return GeoPoint(lat=round(point.lat, DECIMALS), lon=round(point.lon, DECIMALS))
