"""The city's districts, from a GeoJSON file (never from intake's tables: services share no tables).

Which file: each service's ``places_file`` setting (``PORCHLIGHT_DASHBOARD_PLACES_FILE``,
``PORCHLIGHT_LAYERS_PLACES_FILE``) when set, else the demo city shipped here (a copy of intake's
``demo_city.geojson``; tests/dashboard/test_places.py fails when they differ). A city that loads its own
boundaries into intake points these settings at the same file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

DEMO_CITY = Path(__file__).with_name("demo_city.geojson")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    geometry: Any  # shapely geometry


@dataclass(frozen=True)
class Neighborhood:
    """A neighborhood and who lives there (the places file's ``population`` properties; None: unknown)."""

    code: str
    name: str
    district: str | None
    population: int | None
    population_year: int | None
    population_source: str | None


@dataclass(frozen=True)
class City:
    name: str
    districts: tuple[District, ...]
    geojson: dict[str, Any]
    _tree: STRtree
    neighborhoods: tuple[Neighborhood, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.districts]

    def name_of(self, code: str) -> str:
        for d in self.districts:
            if d.code == code:
                return d.name
        return code

    def locate(self, lats: list[float], lons: list[float]) -> list[str | None]:
        """The district of each point (None outside the city), in one vectorised query."""
        if not lats:
            return []
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        out: list[str | None] = [None] * len(lats)
        point_idx, district_idx = self._tree.query(points, predicate="intersects")
        for p, d in zip(point_idx.tolist(), district_idx.tolist(), strict=True):
            if out[p] is None:  # on a shared border the first district wins, deterministically
                out[p] = self.districts[d].code
        return out


def parse_city(collection: dict[str, Any]) -> City:
    districts = tuple(
        District(
            code=str(f["properties"]["code"]),
            name=str(f["properties"].get("name") or f["properties"]["code"]),
            geometry=shape(f["geometry"]),
        )
        for f in collection.get("features", [])
        if (f.get("properties") or {}).get("kind") == "district"
    )
    if not districts:
        raise ValueError("the places file has no feature of kind 'district'")
    return City(
        name=str(collection.get("name") or "City"),
        districts=districts,
        geojson=collection,
        _tree=STRtree([d.geometry for d in districts]),
        neighborhoods=_neighborhoods(collection),
    )


def _neighborhoods(collection: dict[str, Any]) -> tuple[Neighborhood, ...]:
    out = []
    for i, f in enumerate(collection.get("features", [])):
        p = f.get("properties") or {}
        if p.get("kind") != "neighborhood":
            continue
        population, year = p.get("population"), p.get("population_year")
        # Intake refuses such a file (places/geometry/geojson.py); a hand-set places file gets the same rule.
        if population is not None and (type(population) is not int or population < 0):
            raise ValueError(f"features[{i}].properties.population: a whole number of residents, 0 or more")
        if year is not None and type(year) is not int:
            raise ValueError(f"features[{i}].properties.population_year: a year, e.g. 2020")
        out.append(
            Neighborhood(
                code=str(p["code"]),
                name=str(p.get("name") or p["code"]),
                district=str(p["district"]) if p.get("district") else None,
                population=population,
                population_year=year,
                population_source=str(p["population_source"]) if p.get("population_source") else None,
            )
        )
    return tuple(out)


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> City:
    return parse_city(json.loads(path.read_text(encoding="utf-8")))


def load_city(path: Path | None) -> City:
    """The city of a places file (a service's ``places_file`` setting; None: the demo city), cached
    per file and modification time."""
    path = path or DEMO_CITY
    return _load(path, path.stat().st_mtime)
