"""A record's geometry, checked: a GeoJSON Point, LineString or Polygon (or Multi*), valid, in
WGS84 range, with the point the map and the cells use."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import mapping, shape

_ALLOWED = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
#: Coordinates are kept to 1e-7 degrees (about a centimetre): a spreadsheet that stores 15
#: significant digits must not make the same record look changed on its next import.
DIGITS = 7
#: A line or area bigger than this (about 5 km across) is not one place on a block map.
_MAX_EXTENT_DEG = 0.05


class GeometryError(ValueError):
    """The geometry is unusable; ``field`` names it (``point``, ``geometry``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Placed:
    geometry: dict[str, Any]  # GeoJSON, as stored
    kind: str  # its GeoJSON type
    lat: float  # a point on it (the point itself for a Point)
    lon: float


def _point(lat: Any, lon: Any, field: str) -> Placed:
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise GeometryError(field, "lat and lon must be numbers") from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)) or not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise GeometryError(field, "lat must be within -90..90 and lon within -180..180")
    lat_f, lon_f = round(lat_f, DIGITS), round(lon_f, DIGITS)
    return Placed(geometry={"type": "Point", "coordinates": [lon_f, lat_f]}, kind="Point", lat=lat_f, lon=lon_f)


def place_of(point: tuple[float, float] | None, geometry: dict[str, Any] | None) -> Placed:
    """The checked place of a record given a point (lat, lon) or a GeoJSON geometry (or both:
    the geometry wins, the point must then lie on or near it)."""
    if geometry is None:
        if point is None:
            raise GeometryError("point", "a point or a geometry is required")
        return _point(point[0], point[1], "point")
    if not isinstance(geometry, dict) or geometry.get("type") not in _ALLOWED:
        raise GeometryError("geometry", f"a GeoJSON geometry of type {', '.join(sorted(_ALLOWED))}")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several kinds for bad coordinates
        raise GeometryError("geometry", f"not a readable GeoJSON geometry ({type(exc).__name__})") from None
    if geom.is_empty:
        raise GeometryError("geometry", "empty")
    minx, miny, maxx, maxy = geom.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise GeometryError("geometry", "coordinates must be finite numbers")
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("geometry", "coordinates must be [lon, lat] in WGS84 range")
    if not geom.is_valid:
        raise GeometryError("geometry", f"invalid: {shapely.is_valid_reason(geom)}")
    if max(maxx - minx, maxy - miny) > _MAX_EXTENT_DEG:
        raise GeometryError("geometry", "larger than about 5 km across: split it into the places it covers")
    geom = shapely.set_precision(geom, 10**-DIGITS)
    rep = geom.representative_point() if geom.geom_type != "Point" else geom
    return Placed(
        geometry=dict(mapping(geom)),
        kind=geom.geom_type,
        lat=round(float(rep.y), DIGITS),
        lon=round(float(rep.x), DIGITS),
    )
