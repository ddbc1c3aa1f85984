"""An issue flagged over HTTP, and as stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import GeoPoint, RemedyKind

NO_NUL = r"^[^\x00]*$"  # PostgreSQL refuses NUL in text: a 422 naming the field, not a 500
_EXAMPLE: dict[str, Any] = {
    "department": "public-works",
    "category": "Street light out",
    "point": {"lat": 42.3398, "lon": -71.0892},
    "description": "Three lights out along the park path since the storm",
    "record_ids": ["101001240735"],
    "place": "Park path behind 12 Elm St",
    "remedy_kind": "physical",
}


class IssueIn(BaseModel):
    """A department flags an issue at a place: a point (picked on the map), what it is, and the
    department records it is about."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [_EXAMPLE]})

    department: str = Field(min_length=1, max_length=64, pattern=NO_NUL, description="The flagging department.")
    category: str = Field(min_length=1, max_length=200, pattern=NO_NUL, description="What it is.")
    point: GeoPoint = Field(description="Where: the point picked on the map.")
    description: str = Field(default="", max_length=2000, pattern=NO_NUL, description="In the department's words.")
    record_ids: list[Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=50, description="Its records' external ids."
    )
    place: str | None = Field(default=None, max_length=200, pattern=NO_NUL, description="The place in words.")
    remedy_kind: RemedyKind | None = Field(default=None, description="The DICE remedy the department proposes.")


class IssueOut(BaseModel):
    """A flagged issue, located in its district."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **{k: v for k, v in _EXAMPLE.items() if k != "point"},
                    "issue_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "district": "D4",
                    "lat": 42.3398,
                    "lon": -71.0892,
                    "flagged_at": "2026-12-01T10:00:00Z",
                    "flagged_by": "pw-dispatch",
                    "source": "http",
                }
            ]
        },
    )

    issue_id: UUID
    department: str
    category: str
    district: str
    lat: float | None
    lon: float | None
    place: str | None
    description: str
    record_ids: list[str]
    remedy_kind: str | None
    flagged_at: datetime
    flagged_by: str
    source: str = Field(description="http (layers' API or form) or kafka (the department's own system)")
