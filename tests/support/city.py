"""A small city of a test's own: two square districts far from the demo city and from every
other test's, so counts per district start at zero whatever else ran before (dashboard, layers)."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from porchlight.kit.city import City, load_city


@dataclass
class TestCity:
    path: Path
    city: City
    a: str
    b: str
    #: A point inside each district (lat, lon).
    inside: dict[str, tuple[float, float]]


def make_test_city(tmp_path: Path) -> TestCity:
    tag = uuid.uuid4().hex[:6].upper()
    lon, lat = random.uniform(100, 170), random.uniform(-50, -40)
    a, b = f"TA-{tag}", f"TB-{tag}"
    features = []
    inside = {}
    for i, code in enumerate((a, b)):
        x = lon + i * 0.1
        ring = [[x, lat], [x + 0.1, lat], [x + 0.1, lat + 0.1], [x, lat + 0.1], [x, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "district", "code": code, "name": f"District {code}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
        inside[code] = (lat + 0.05, x + 0.05)
    path = tmp_path / "city.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "name": f"Testville {tag}", "features": features}))
    return TestCity(path=path, city=load_city(path), a=a, b=b, inside=inside)
