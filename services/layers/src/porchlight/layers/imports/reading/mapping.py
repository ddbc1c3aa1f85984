"""A mapping file (YAML): which column of a department's export gives each field of a record.

```yaml
fields:
  external_id: {column: case_enquiry_id}
  layer: {column: type, values: {"Street Light Outages": street_light_outage}}
  department: {value: public-works}     # a constant; left out: the layer's department
  category: {column: type}
  status: {column: case_status}
  opened_at: {column: open_dt, format: "%Y-%m-%d %H:%M:%S", timezone: America/New_York}
  lat: {column: latitude}
  lon: {column: longitude}
attributes: [reason, source]            # other columns kept as they are
sheet: Cases                            # XLSX only: the sheet to read (default: the first)
```

A field is a ``column`` (with an optional ``values`` map: a value not in the map is refused for
``layer`` and ``department``, kept as it is elsewhere) or a constant ``value``. Times without a
``format`` are ISO 8601; without a ``timezone`` a time without an offset is UTC. GeoJSON files
give their geometry; ``lat``/``lon`` are then not needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from porchlight.layers.imports.reading.tables import Row

FIELDS = ("external_id", "layer", "department", "category", "status", "opened_at", "closed_at", "starts_at",
          "ends_at", "lat", "lon", "description", "district")  # fmt: skip
_TIMES = ("opened_at", "closed_at", "starts_at", "ends_at")
_CODED = ("layer", "department")


class MappingError(ValueError):
    """A mapping that cannot be used; ``field`` is the key's path (``fields.opened_at.timezone``),
    "" when the file as a whole is wrong (not YAML, not a mapping)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str | None = None
    value: str | None = None
    values: dict[str, str] | None = None
    format: str | None = None
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {zone!r}") from None
        return zone


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Source]
    attributes: list[str] = Field(default_factory=list)
    #: An XLSX workbook's sheet to read, by name (None: the first sheet).
    sheet: str | None = None
    #: Added to every time read (the demo replays a past year as the last one).
    shift_years: int = 0

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, Source]) -> dict[str, Source]:
        for name, source in fields.items():
            if name not in FIELDS:
                raise ValueError(f"{name}: not a record field (one of {', '.join(FIELDS)})")
            if (source.column is None) == (source.value is None):
                raise ValueError(f"{name}: give a column or a value")
        for required in ("external_id", "layer", "category"):
            if required not in fields:
                raise ValueError(f"{required}: required")
        if not ({"opened_at", "starts_at"} & set(fields)):
            raise ValueError("opened_at: required (or starts_at)")
        return fields


def parse_mapping(text: str) -> Mapping:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError("", f"not YAML ({type(exc).__name__})") from None
    try:
        return Mapping.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        if ": " in message and err["type"] == "value_error":
            key, message = message.split(": ", 1)
            path = f"{path}.{key}"
        raise MappingError(path, message) from None


def _read(mapping: Mapping, name: str, row: Row) -> str | None:
    source = mapping.fields.get(name)
    if source is None:
        return None
    raw = source.value if source.value is not None else row.cells.get(source.column or "", "")
    raw = (raw or "").strip()
    if source.values is not None and raw:
        if raw in source.values:
            return source.values[raw]
        if name in _CODED:
            raise ValueError(f"{raw!r} is not in the mapping's values")
    return raw or None


def _time(mapping: Mapping, name: str, text: str) -> datetime:
    source = mapping.fields[name]
    moment = datetime.strptime(text, source.format) if source.format else datetime.fromisoformat(text)
    if moment.tzinfo is None and source.timezone:
        moment = moment.replace(tzinfo=ZoneInfo(source.timezone))
    if mapping.shift_years:
        try:
            moment = moment.replace(year=moment.year + mapping.shift_years)
        except ValueError:  # 29 February in a year that has none
            moment = (moment - timedelta(days=1)).replace(year=moment.year + mapping.shift_years)
    return moment


def record_of(mapping: Mapping, row: Row) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The record fields of ``row`` (for ``records.service.RecordIn``) and its errors by field."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name in FIELDS:
        try:
            text = _read(mapping, name, row)
            if text is None:
                continue
            if name in _TIMES:
                values[name] = _time(mapping, name, text)
            elif name in ("lat", "lon"):
                values[name] = float(text)
            else:
                values[name] = text
        except ValueError as exc:
            errors.append({"field": name, "message": str(exc) or "unreadable"})
    point = None
    if "lat" in values or "lon" in values:
        if "lat" in values and "lon" in values:
            point = (values.pop("lat"), values.pop("lon"))
        else:
            errors.append({"field": "lat" if "lat" not in values else "lon", "message": "both lat and lon are needed"})
    values["point"] = point
    values["geometry"] = row.geometry
    values["attributes"] = {a: row.cells.get(a) or None for a in mapping.attributes}
    return values, errors
