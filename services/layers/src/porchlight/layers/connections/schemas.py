"""Connections over HTTP: each with the evidence a supervisor opens, and the city's rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

_EVIDENCE: dict[str, Any] = {
    "rule": "dark-block-vehicle-crime",
    "title": "Dark block with rising vehicle crime",
    "explanation": "Street light out open since 3 Nov 2026; 7 motor vehicle theft within 150 m in the last 28 days, "
    "against 1.2 expected from the place's own 364 days before (p = 0.0004); 3 residents' notes raised "
    "street lighting nearby.",
    "record": {"external_id": "SL-2026-000481", "department": "public-works", "layer": "street_light_outage"},
    "test": {"test": "poisson", "incidents": 7, "expected": 1.2, "p_value": 0.0004, "rate_ratio": 5.8},
    "incident_ids": ["0f8fad5b-d9cb-469f-a165-70867728950e"],
    "note_ids": ["7c9e6679-7425-40de-944b-e07fc1f90ae7"],
    "quotes": ["The corner by the laundromat has been dark for weeks"],
}


class ConnectionOut(BaseModel):
    """A same-block connection: a department record, incidents above the place's baseline, and
    residents' concerns nearby, with the evidence behind each figure."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "correlation_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "rule": "dark-block-vehicle-crime",
                    "record_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "district": "D4",
                    "cell": "8a2a3066a0b7fff",
                    "lat": 42.3398,
                    "lon": -71.0892,
                    "status": "open",
                    "evidence": _EVIDENCE,
                    "detected_at": "2026-12-01T18:00:00Z",
                    "updated_at": "2026-12-01T18:00:00Z",
                    "closed_at": None,
                    "close_reason": None,
                }
            ]
        },
    )

    correlation_id: UUID
    rule: str
    record_id: UUID
    district: str
    cell: str = Field(description="H3 cell (resolution 10, about a block).")
    lat: float
    lon: float
    status: str = Field(description="open, or closed (its record closed)")
    evidence: dict[str, Any] = Field(description="The record, the test's figures, incident and note ids, quotes.")
    detected_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    close_reason: str | None


class EvaluationOut(BaseModel):
    """What one evaluation of the rules did."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"evaluated": True, "matches": 4, "opened": 1, "updated": 0, "closed": 0}]}
    )

    evaluated: bool = Field(description="False when another replica was evaluating at that moment.")
    matches: int
    opened: int
    updated: int
    closed: int
