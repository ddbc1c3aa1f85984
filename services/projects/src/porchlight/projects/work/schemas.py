"""Shapes of micro-projects, tasks and moves."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import GeoPoint, RemedyKind
from porchlight.projects.inputs import Day, Input
from porchlight.projects.work.transitions import Status


class TaskIn(Input):
    title: str = Field(min_length=1, max_length=200)
    assignee: str | None = Field(default=None, max_length=120)
    #: Defaults to the project's department.
    department: str | None = Field(default=None, max_length=60)


class TaskPatch(Input):
    done: bool | None = None
    assignee: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, min_length=1, max_length=200)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    assignee: str | None
    department: str
    done: bool
    completed_at: datetime | None
    completed_by: str | None


class ProjectIn(Input):
    priority_id: uuid.UUID
    title: str = Field(min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    #: The point or block as people say it ("Main St between 3rd and 5th").
    place: str | None = Field(default=None, max_length=200)
    point: GeoPoint | None = None
    #: Defaults to the priority's place.
    district: str | None = Field(default=None, min_length=1, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    department: str = Field(min_length=1, max_length=60)
    team: str | None = Field(default=None, max_length=60)
    remedy_kind: RemedyKind
    #: Why enforcement, when the priority's first projects are all enforcement (DICE: last).
    justification: str | None = Field(default=None, max_length=1000)
    starts_on: Day
    due_on: Day
    owner: str | None = Field(default=None, max_length=120)
    win_text: str | None = Field(default=None, max_length=300)
    tasks: list[TaskIn] = Field(default_factory=list, max_length=50)


class ProjectPatch(Input):
    """Details of a card; moves go through ``POST /v1/projects/{id}/moves``."""

    title: str | None = Field(default=None, min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    place: str | None = Field(default=None, max_length=200)
    point: GeoPoint | None = None
    department: str | None = Field(default=None, min_length=1, max_length=60)
    team: str | None = Field(default=None, max_length=60)
    starts_on: Day | None = None
    due_on: Day | None = None
    owner: str | None = Field(default=None, max_length=120)
    win_text: str | None = Field(default=None, max_length=300)
    #: The version the change is based on (or send ``If-Match``).
    version: int | None = Field(default=None, ge=1)


class MoveIn(Input):
    to: Status
    reason: str | None = Field(default=None, max_length=500)
    #: The version the move is based on (or send ``If-Match``).
    version: int | None = Field(default=None, ge=1)


class Card(BaseModel):
    """A micro-project as the board shows it."""

    id: uuid.UUID
    priority_id: uuid.UUID
    title: str
    district: str
    neighborhood: str | None
    place: str | None
    point: GeoPoint | None
    department: str
    team: str | None
    owners: list[str]
    remedy_kind: str
    starts_on: date
    due_on: date
    status: Status
    blocked_reason: str | None
    awaiting_confirmation: bool
    owner: str | None
    tasks_total: int
    tasks_done: int
    overdue: bool
    version: int
    changed_at: datetime
    allowed_moves: list[str]


class Warning_(BaseModel):
    code: str
    field: str | None = None
    message: str


class ProjectOut(Card):
    description: str | None
    justification: str | None
    win_text: str | None
    created_by: str
    created_at: datetime
    completed_at: datetime | None
    tasks: list[TaskOut] = Field(default_factory=list)
    warnings: list[Warning_] = Field(default_factory=list)


class MoveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    reason: str | None
    moved_by: str
    moved_at: datetime


class ReminderOut(BaseModel):
    project_id: uuid.UUID
    reason: str
    owner: str | None
    department: str
