"""Flagged cards over HTTP, and what turning one into a micro-project may set."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import RemedyKind
from porchlight.projects.inputs.fields import Day


class FlaggedOut(BaseModel):
    """An issue a department flagged: a card in the board's Flagged column."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "issue_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "district": "D4",
                    "department": "public-works",
                    "category": "Street light out",
                    "description": "Three lights out along the park path",
                    "place": "Park path behind 12 Elm St",
                    "lat": 42.3398,
                    "lon": -71.0892,
                    "record_ids": ["101001240735"],
                    "remedy_kind": "physical",
                    "remedy_given": False,
                    "flagged_at": "2026-12-01T10:00:00Z",
                    "status": "flagged",
                    "project_id": None,
                }
            ]
        },
    )

    issue_id: uuid.UUID
    district: str
    department: str = Field(description="The flagging department: the card's owner")
    category: str
    description: str
    place: str | None
    lat: float | None
    lon: float | None
    record_ids: list[str] = Field(description="The department records it is about (their ids)")
    remedy_kind: str = Field(description="DICE remedy kind: the department's, or proposed (never enforcement)")
    remedy_given: bool = Field(description="True: the department chose it; False: proposed from its category")
    flagged_at: datetime
    status: str = Field(description="flagged (waiting), converted (a micro-project now) or dismissed")
    project_id: uuid.UUID | None


class ConvertIn(BaseModel):
    """Optional choices when a flagged issue becomes a micro-project (defaults: the district's
    newest priority, the card's department and remedy, two weeks from today)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Relight the park path", "due_on": "2026-12-19"}]}
    )

    priority_id: uuid.UUID | None = None
    title: str | None = Field(default=None, min_length=3, max_length=200, pattern=r"^[^\x00]*$")
    department: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"^[^\x00]*$")
    remedy_kind: RemedyKind | None = None
    starts_on: Day | None = None
    due_on: Day | None = None


class ConvertedOut(BaseModel):
    """The flagged issue and the micro-project it became."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "issue_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "project_id": "9b2d1c1e-7f1a-4a55-8d6e-7a7cb1a3e001",
                    "title": "Street light out — Park path behind 12 Elm St",
                    "due_on": "2026-12-19",
                }
            ]
        }
    )

    issue_id: uuid.UUID
    project_id: uuid.UUID
    title: str
    due_on: date
