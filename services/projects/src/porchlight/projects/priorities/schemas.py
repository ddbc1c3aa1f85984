"""Shapes of priorities: a quarterly goal for a place, the concerns behind it, its outcome measure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from porchlight.projects.inputs import Input

Text = Field(min_length=1, max_length=200)


class ConcernLink(Input):
    """A residents' concern that motivated the priority, linked by topic and place ("you said")."""

    topic: str = Field(min_length=1, max_length=100)
    district: str | None = Field(default=None, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    #: Residents' own words as synthesis published them (already redacted there).
    quote: str | None = Field(default=None, max_length=500)
    mentions: int | None = Field(default=None, ge=0)


class PriorityIn(Input):
    title: str = Field(min_length=3, max_length=200)
    #: The place: a priority without one is refused (422 naming ``body.district``).
    district: str = Field(min_length=1, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$", examples=["2027-Q1"])
    topics: list[str] = Field(default_factory=list, max_length=30)
    concerns: list[ConcernLink] = Field(default_factory=list, max_length=100)
    outcome_measure: str | None = Field(default=None, max_length=300)
    outcome_before: float | None = None
    enforcement_justification: str | None = Field(default=None, max_length=1000)


class PriorityPatch(Input):
    title: str | None = Field(default=None, min_length=3, max_length=200)
    outcome_measure: str | None = Field(default=None, max_length=300)
    outcome_before: float | None = None
    outcome_after: float | None = None
    enforcement_justification: str | None = Field(default=None, max_length=1000)


class PriorityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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


class Outcome(BaseModel):
    measure: str | None
    before: float | None
    after: float | None
    change: float | None
    change_pct: float | None


class Evaluation(BaseModel):
    """How a priority is doing: its projects by status, how long they took, the outcome measure."""

    priority_id: uuid.UUID
    title: str
    district: str
    quarter: str
    projects: int
    by_status: dict[str, int]
    done: int
    in_progress: int
    blocked: int
    overdue: int
    on_time_share: float | None
    days_to_complete_median: float | None
    days_to_complete_mean: float | None
    remedy_mix: dict[str, int]
    wins_published: int
    outcome: Outcome
