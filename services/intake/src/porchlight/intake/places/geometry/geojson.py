"""Reading a city's places from a GeoJSON FeatureCollection (pure: no database).

Every problem in the file is collected, named by feature index and property
(``features[3].geometry``), so whoever fixes the file sees all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

KINDS = ("district", "neighborhood")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_MAX_FEATURES = 5_000


@dataclass
class ParsedPlace:
    index: int
    code: str
    kind: str
    name: str
    parent_code: str | None
    geometry: dict[str, Any]
    shape: BaseGeometry

    def row(self) -> dict[str, Any]:
        min_lon, min_lat, max_lon, max_lat = self.shape.bounds
        return {
            "code": self.code,
            "kind": self.kind,
            "name": self.name,
            "parent_code": self.parent_code,
            "geometry": self.geometry,
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
        }


@dataclass
class ParsedCity:
    places: list[ParsedPlace] = field(default_factory=list)
    #: Neighborhoods whose district was found from their representative point.
    derived_parents: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    #: Features already reported: links to them are not reported again.
    failed_codes: set[str] = field(default_factory=set)
    district_failed: bool = False


def _err(errors: list[dict[str, str]], where: str, message: str) -> None:
    errors.append({"field": where, "message": message})


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _geometry(raw: object, where: str, label: str, errors: list[dict[str, str]]) -> BaseGeometry | None:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        _err(errors, where, f"{label}: geometry must be a GeoJSON Polygon or MultiPolygon")
        return None
    try:
        geom = shape(raw)
    except Exception:  # shapely raises several types for malformed coordinates
        _err(errors, where, f"{label}: malformed coordinates")
        return None
    if geom.is_empty:
        _err(errors, where, f"{label}: empty geometry")
        return None
    if not geom.is_valid:
        _err(errors, where, f"{label}: invalid geometry ({shapely.is_valid_reason(geom)})")
        return None
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        _err(errors, where, f"{label}: coordinates must be WGS84 longitude, latitude")
        return None
    return geom


def _population(props: dict[str, Any], where: str, label: str, errors: list[dict[str, str]]) -> None:
    """``population`` (who lives there, for the dashboard's listening gap) is optional, but when given
    it is a whole number of residents; its ``population_year`` a year, its ``population_source`` text."""
    population = props.get("population")
    # bool is an int in Python, and 1.0 is what some GIS tools write for 1: only plain whole numbers
    if population is not None and (type(population) is not int or population < 0):
        _err(errors, f"{where}.population", f"{label}: population must be a whole number of residents, 0 or more")
    year = props.get("population_year")
    if year is not None and (type(year) is not int or not 1790 <= year <= 2200):
        _err(errors, f"{where}.population_year", f"{label}: population_year must be a year, e.g. 2020")
    source = props.get("population_source")
    if source is not None and not isinstance(source, str):
        _err(errors, f"{where}.population_source", f"{label}: population_source must be text naming the source")


def parse_city(collection: object, *, prefix: str = "") -> ParsedCity:
    """Validate a FeatureCollection of districts and neighborhoods; never raises."""
    out = ParsedCity()
    errors = out.errors
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        _err(errors, f"{prefix}type", "expected a GeoJSON FeatureCollection")
        return out
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        _err(errors, f"{prefix}features", "expected a non-empty list of features")
        return out
    if len(features) > _MAX_FEATURES:
        _err(errors, f"{prefix}features", f"at most {_MAX_FEATURES} features")
        return out

    seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        at = f"{prefix}features[{i}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            _err(errors, at, f"feature {i}: expected a GeoJSON Feature")
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            _err(errors, f"{at}.properties", f"feature {i}: properties kind, code and name are required")
            continue
        code = _text(props.get("code"))
        label = f"feature {i} ({code!r})" if code else f"feature {i}"
        bad = len(errors)
        kind = props.get("kind")
        if kind not in KINDS:
            _err(errors, f"{at}.properties.kind", f"{label}: kind must be 'district' or 'neighborhood'")
        if code is None or not _CODE.match(code):
            _err(
                errors, f"{at}.properties.code", f"{label}: code must be 1-64 letters, digits, spaces, '_', '.' or '-'"
            )
        elif code.casefold() in seen:
            _err(errors, f"{at}.properties.code", f"{label}: code repeats feature {seen[code.casefold()]}")
        else:
            seen[code.casefold()] = i
        name = _text(props.get("name"))
        if name is None:
            _err(errors, f"{at}.properties.name", f"{label}: name is required")
        parent = props.get("district")
        if kind == "neighborhood" and parent is not None and _text(parent) is None:
            _err(errors, f"{at}.properties.district", f"{label}: district must be a district code")
        _population(props, f"{at}.properties", label, errors)
        geom = _geometry(feature.get("geometry"), f"{at}.geometry", label, errors)
        if len(errors) > bad or geom is None:
            if code is not None:
                out.failed_codes.add(code.casefold())
            out.district_failed |= kind != "neighborhood"
            continue
        assert code is not None and name is not None and isinstance(kind, str)
        out.places.append(
            ParsedPlace(
                i,
                code,
                kind,
                name,
                _text(parent) if kind == "neighborhood" else None,
                {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]},
                geom,
            )
        )

    _link_parents(out, prefix)
    return out


def _link_parents(out: ParsedCity, prefix: str) -> None:
    """Check each neighborhood's district; derive it when the file leaves it out."""
    districts = {p.code.casefold(): p for p in out.places if p.kind == "district"}
    if not districts and not out.district_failed:
        _err(out.errors, f"{prefix}features", "a city needs at least one district")
    for p in out.places:
        if p.kind != "neighborhood":
            continue
        at = f"{prefix}features[{p.index}]"
        if p.parent_code is not None:
            parent = districts.get(p.parent_code.casefold())
            if parent is None and p.parent_code.casefold() not in out.failed_codes:
                _err(
                    out.errors,
                    f"{at}.properties.district",
                    f"feature {p.index} ({p.code!r}): unknown district {p.parent_code!r}",
                )
            elif parent is not None:
                p.parent_code = parent.code
            continue
        if out.district_failed:
            continue  # its district may be one of those already reported
        spot = p.shape.representative_point()
        containing = [d for d in districts.values() if d.shape.covers(spot)]
        if not containing:
            _err(
                out.errors,
                f"{at}.properties.district",
                f"feature {p.index} ({p.code!r}): no district given and none contains the neighborhood",
            )
            continue
        p.parent_code = containing[0].code
        out.derived_parents[p.code] = p.parent_code
