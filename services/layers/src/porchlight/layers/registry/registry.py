"""The departments and their layers, read from a city's YAML file.

A record names its department and layer; anything not registered here is refused with the field
named, so a typo in a department system's feed shows up at once instead of as a stray layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

DEMO_REGISTRY = Path(__file__).with_name("demo_registry.yaml")

_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Layer:
    code: str
    name: str
    department: str
    #: point (an outage), line (a closed street), area (a permit's site, a park)
    shape: Literal["point", "line", "area"]
    #: Scheduled things (permits, park maintenance, school events) run from a start to an end.
    scheduled: bool
    description: str


@dataclass(frozen=True)
class Registry:
    departments: dict[str, str]  # code -> name
    layers: dict[str, Layer]  # code -> layer

    def refusals(self, department: str, layer: str | None) -> list[dict[str, str]]:
        """What is wrong with (department, layer), as ``{"field", "message"}`` items; [] when fine."""
        errors = []
        if department not in self.departments:
            errors.append({"field": "department", "message": f"unknown department {department!r}"})
        if layer is not None:
            found = self.layers.get(layer)
            if found is None:
                errors.append({"field": "layer", "message": f"unknown layer {layer!r}"})
            elif department in self.departments and found.department != department:
                errors.append(
                    {
                        "field": "layer",
                        "message": f"layer {layer!r} belongs to {found.department!r}, not {department!r}",
                    }
                )
        return errors

    def layers_of(self, department: str) -> list[Layer]:
        return [lay for lay in self.layers.values() if lay.department == department]


def parse_registry(doc: Any) -> Registry:
    """A registry from the YAML document's data; ValueError naming the entry when it is wrong."""
    if not isinstance(doc, dict) or not isinstance(doc.get("departments"), list):
        raise ValueError("departments: a list of departments is required")
    departments: dict[str, str] = {}
    layers: dict[str, Layer] = {}
    for i, dept in enumerate(doc["departments"]):
        where = f"departments[{i}]"
        code = str((dept or {}).get("code", ""))
        if not _CODE.match(code):
            raise ValueError(f"{where}.code: lowercase letters, digits, - and _ (got {code!r})")
        departments[code] = str(dept.get("name") or code)
        for j, lay in enumerate(dept.get("layers") or []):
            lw = f"{where}.layers[{j}]"
            lcode = str((lay or {}).get("code", ""))
            if not _CODE.match(lcode):
                raise ValueError(f"{lw}.code: lowercase letters, digits, - and _ (got {lcode!r})")
            if lcode in layers:
                raise ValueError(f"{lw}.code: layer {lcode!r} is declared twice")
            shape = lay.get("shape", "point")
            if shape not in ("point", "line", "area"):
                raise ValueError(f"{lw}.shape: point, line or area (got {shape!r})")
            layers[lcode] = Layer(
                code=lcode,
                name=str(lay.get("name") or lcode),
                department=code,
                shape=shape,
                scheduled=bool(lay.get("scheduled", False)),
                description=str(lay.get("description") or ""),
            )
    return Registry(departments=departments, layers=layers)


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> Registry:
    return parse_registry(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_registry(path: Path | None) -> Registry:
    """The registry of a YAML file (``LayersSettings.registry_file``; None: the demo city's),
    cached per file and modification time."""
    path = path or DEMO_REGISTRY
    return _load(path, path.stat().st_mtime)
