"""A record's district: the kit's point-in-polygon, with a tolerance at the city's edge.

Department records often sit on the boundary street (a light pole on the city line): a record
within ``tolerance_m`` of a district is kept in the nearest one; farther out it is refused as
outside the city, not silently stored where no district page will ever show it.
"""

from __future__ import annotations

import math

from shapely.geometry import Point
from shapely.ops import nearest_points

from porchlight.kit.city import City

_M_PER_DEG_LAT = 111_320.0


class Locator:
    def __init__(self, city: City, tolerance_m: float) -> None:
        self.city = city
        self.tolerance_m = tolerance_m

    def districts(self, lats: list[float], lons: list[float]) -> list[str | bool | None]:
        """Each point's district; False when it is outside the city beyond the tolerance."""
        found: list[str | bool | None] = list(self.city.locate(lats, lons))
        for i, d in enumerate(found):
            if d is None:
                found[i] = self._nearest(lats[i], lons[i])
        return found

    def _nearest(self, lat: float, lon: float) -> str | bool:
        # Degrees to metres at this latitude: good to a few metres over a tolerance of 100s of metres.
        kx = _M_PER_DEG_LAT * math.cos(math.radians(lat))
        best, best_m = None, math.inf
        p = Point(lon, lat)
        for d in self.city.districts:
            q = nearest_points(d.geometry.boundary, p)[0]
            m = math.hypot((q.x - lon) * kx, (q.y - lat) * _M_PER_DEG_LAT)
            if m < best_m:
                best, best_m = d.code, m
        return best if best is not None and best_m <= self.tolerance_m else False
