"""Shapes of priorities: a quarterly goal for a place, the concerns behind it, its outcome measure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.kit.inputs import NotNull, SingleLine
from porchlight.projects.inputs.fields import Input

_CONCERN: JsonDict = {
    "topic": "street_lighting",
    "quote": "It is pitch dark on Main Street after seven.",
    "mentions": 40,
}
_PRIORITY_IN: JsonDict = {
    "title": "Safer streets in D4",
    "district": "D4",
    "neighborhood": "south-end",
    "quarter": "2027-Q1",
    "topics": ["violence"],
    "concerns": [_CONCERN],
    "outcome_measure": "Violent incidents reported per month",
    "outcome_before": 12,
}


class ConcernLink(Input):
    """A residents' concern that motivated the priority, linked by topic and place ("you said")."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CONCERN]})

    topic: str = Field(min_length=1, max_length=100)
    district: str | None = Field(default=None, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    #: Residents' own words as synthesis published them (already redacted there).
    quote: str | None = Field(default=None, max_length=500)
    mentions: int | None = Field(default=None, ge=0, le=10_000_000, strict=True)


class PriorityIn(Input):
    """A quarterly priority for a place: a district is required, concerns are linked by topic and place."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PRIORITY_IN]})

    title: SingleLine = Field(min_length=3, max_length=200)
    #: The place: a priority without one is refused (422 naming ``body.district``).
    district: str = Field(min_length=1, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$", examples=["2027-Q1"])
    topics: list[str] = Field(default_factory=list, max_length=30)
    concerns: list[ConcernLink] = Field(default_factory=list, max_length=100)
    outcome_measure: str | None = Field(default=None, max_length=300)
    outcome_before: float | None = Field(default=None, strict=True)
    enforcement_justification: str | None = Field(default=None, max_length=1000)


class PriorityPatch(Input):
    """A change of a priority's title, outcome measure, before/after figures or justification."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome_after": 7}]})

    #: May be left out, not emptied (the priority keeps a title).
    title: Annotated[SingleLine | None, NotNull] = Field(default=None, min_length=3, max_length=200)
    outcome_measure: str | None = Field(default=None, max_length=300)
    outcome_before: float | None = Field(default=None, strict=True)
    outcome_after: float | None = Field(default=None, strict=True)
    enforcement_justification: str | None = Field(default=None, max_length=1000)


class PriorityOut(BaseModel):
    """A quarterly priority as stored: its place, topics, linked concerns and outcome measure."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                _PRIORITY_IN
                | {
                    "id": "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10",
                    "concerns": [_CONCERN | {"district": "D4", "neighborhood": "south-end"}],
                    "topics": ["violence", "street_lighting"],
                    "outcome_after": None,
                    "enforcement_justification": None,
                    "created_by": "sgt-rivera",
                    "created_at": "2027-01-04T15:30:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    title: str
    district: str
    neighborhood: str | None = None
    quarter: str
    topics: list[str] = Field(default_factory=list)
    concerns: list[dict[str, Any]] = Field(default_factory=list)
    outcome_measure: str | None = None
    outcome_before: float | None = None
    outcome_after: float | None = None
    enforcement_justification: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None
