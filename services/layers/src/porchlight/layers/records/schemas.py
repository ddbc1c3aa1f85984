"""Records over HTTP: one record in (a department system's door), records and layers out."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import AttributeValue, GeoPoint

_RECORD_EXAMPLE: dict[str, Any] = {
    "department": "public-works",
    "layer": "street_light_outage",
    "external_id": "SL-2026-000481",
    "category": "Street light out",
    "status": "open",
    "point": {"lat": 42.3398, "lon": -71.0892},
    "opened_at": "2026-11-30T18:02:00Z",
    "attributes": {"pole": "P-11873"},
}


class RecordIn(BaseModel):
    """A department's record, sent over HTTP (the same fields as the record.reported event)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_RECORD_EXAMPLE]})

    department: str = Field(min_length=1, max_length=64, description="The department's code (layers' registry).")
    layer: str = Field(min_length=1, max_length=64, description="The layer's code, e.g. street_light_outage.")
    external_id: str = Field(min_length=1, max_length=200, description="The department system's own id.")
    category: str = Field(min_length=1, max_length=200, description="What it is, in the department's words.")
    status: str = Field(default="open", max_length=64, description="open, closed, or the department's own word.")
    point: GeoPoint | None = Field(default=None, description="Where it is; or give geometry.")
    geometry: dict[str, Any] | None = Field(default=None, description="GeoJSON geometry: Point, LineString, Polygon.")
    opened_at: datetime | None = Field(default=None, description="When it was opened (or starts_at).")
    closed_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    description: str = Field(default="", max_length=2000, description="The department's text (no personal data).")
    attributes: dict[str, AttributeValue] = Field(default_factory=dict, description="The department's other fields.")


class RecordOut(BaseModel):
    """A stored record, as layers accepted it (located, with its version)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **{k: v for k, v in _RECORD_EXAMPLE.items() if k != "point"},
                    "record_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "lat": 42.3398,
                    "lon": -71.0892,
                    "cell": "8a2a3066a0b7fff",
                    "district": "D4",
                    "closed_at": None,
                    "open": True,
                    "version": 1,
                    "source": "http",
                    "geometry": {"type": "Point", "coordinates": [-71.0892, 42.3398]},
                    "description": "",
                }
            ]
        },
    )

    record_id: UUID
    department: str
    layer: str
    external_id: str
    category: str
    status: str
    open: bool = Field(description="Still open now (status not a closed word, not past its end).")
    geometry: dict[str, Any] | None = Field(description="GeoJSON; None when placed by district alone.")
    lat: float | None
    lon: float | None
    cell: str | None = Field(description="H3 cell (resolution 10, about a block).")
    district: str | None
    opened_at: datetime
    closed_at: datetime | None
    description: str
    attributes: dict[str, AttributeValue]
    source: str = Field(description="The door it came through: kafka, open311, file or http.")
    version: int


class AcceptedOut(BaseModel):
    """What one HTTP delivery did: created, updated (a new version) or unchanged."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"record_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "outcome": "created"}]}
    )

    record_id: UUID
    outcome: str = Field(description="created, updated or unchanged")


class LayerOut(BaseModel):
    """A layer of the city's registry, with its records' counts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "street_light_outage",
                    "name": "Street light outages",
                    "department": "public-works",
                    "department_name": "Public Works",
                    "shape": "point",
                    "scheduled": False,
                    "description": "A street light reported out.",
                    "open_records": 412,
                    "records": 7956,
                }
            ]
        }
    )

    code: str
    name: str
    department: str
    department_name: str
    shape: str = Field(description="point, line or area")
    scheduled: bool = Field(description="Runs from a start to an end (permits, events).")
    description: str
    open_records: int
    records: int
