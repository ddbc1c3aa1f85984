"""Shapes of micro-projects, tasks and moves."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.events.catalog import GeoPoint, RemedyKind
from porchlight.kit.inputs import NotNull, SingleLine
from porchlight.projects.impact.schemas import TargetControl
from porchlight.projects.inputs.fields import Day, Input
from porchlight.projects.work.rules.transitions import Status

_PROJECT = "0b7e4d8c-5f1a-4c2e-8d3b-2a9f6c1e7d40"
_PRIORITY = "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10"
_TASK_IN: JsonDict = {"title": "Replace the lamps", "assignee": "crew-7", "department": "public-works"}
_TASK_OUT = _TASK_IN | {
    "id": "5d2c7e1a-9b3f-4e6d-8a1c-3f7b2e9d4c60",
    "project_id": _PROJECT,
    "done": False,
    "public": True,
    "completed_at": None,
    "completed_by": None,
}
_PROJECT_IN: JsonDict = {
    "priority_id": _PRIORITY,
    "title": "Fix the streetlights on Main Street",
    "place": "Main St between 3rd and 5th",
    "point": {"lat": 42.3398, "lon": -71.0892},
    "department": "public-works",
    "remedy_kind": "physical",
    "starts_on": "2027-01-11",
    "due_on": "2027-01-17",
    "win_text": "The streetlights on Main Street between 3rd and 5th are fixed.",
    "tasks": [_TASK_IN],
}
_CARD: JsonDict = {
    "id": _PROJECT,
    "priority_id": _PRIORITY,
    "title": "Fix the streetlights on Main Street",
    "district": "D4",
    "neighborhood": "south-end",
    "place": "Main St between 3rd and 5th",
    "point": {"lat": 42.3398, "lon": -71.0892},
    "department": "public-works",
    "team": None,
    "owners": ["public-works"],
    "remedy_kind": "physical",
    "starts_on": "2027-01-11",
    "due_on": "2027-01-17",
    "status": "in_progress",
    "blocked_reason": None,
    "awaiting_confirmation": False,
    "owner": "crew-lead-ortiz",
    "tasks_total": 1,
    "tasks_done": 0,
    "overdue": False,
    "version": 3,
    "changed_at": "2027-01-12T09:30:00.000000Z",
    "allowed_moves": ["done", "planned", "blocked"],
}
_MOVE: JsonDict = {"to": "blocked", "reason": "Waiting for the owner's permission", "version": 3}
_WARNING: JsonDict = {
    "code": "long-project",
    "field": "body.due_on",
    "message": "spans 21 days; micro-projects take one or two weeks: consider splitting it",
}


class TaskIn(Input):
    """A task of a micro-project: what, who, and which department (the project's when left out)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TASK_IN]})

    title: str = Field(min_length=1, max_length=200)
    assignee: str | None = Field(default=None, max_length=120)
    #: Defaults to the project's department.
    department: str | None = Field(default=None, max_length=60)
    #: On the project's public timeline once done; defaults to the project's ``public``.
    public: bool | None = Field(default=None, strict=True)


class TaskPatch(Input):
    """A change of a task: ``done`` ticks it off (or reopens it), its title, its assignee."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"done": True}]})

    done: bool | None = Field(default=None, strict=True)
    assignee: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, min_length=1, max_length=200)


class TaskOut(BaseModel):
    """A task as stored: who it is for, whether it is done, when and by whom."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_TASK_OUT]})

    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    assignee: str | None
    department: str
    public: bool = False
    done: bool
    completed_at: datetime | None
    completed_by: str | None


class ProjectIn(Input):
    """A new micro-project: a place, an owning department (or team), a DICE remedy, one or two weeks."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PROJECT_IN]})

    priority_id: uuid.UUID
    title: SingleLine = Field(min_length=3, max_length=200)
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
    #: Shown on the neighborhood's public page; left out, every remedy but enforcement is.
    public: bool | None = Field(default=None, strict=True)
    #: Tell the neighborhood's channels each time a public task is done (else only its timeline).
    announce_tasks: bool = Field(default=False, strict=True)
    tasks: list[TaskIn] = Field(default_factory=list, max_length=50)


class ProjectPatch(Input):
    """Details of a card; moves go through ``POST /v1/projects/{id}/moves``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"due_on": "2027-01-19", "version": 3}]})

    # Left out, these stay as they are; a project cannot lose its title, department or dates.
    title: Annotated[SingleLine | None, NotNull] = Field(default=None, min_length=3, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    place: str | None = Field(default=None, max_length=200)
    point: GeoPoint | None = None
    department: Annotated[str | None, NotNull] = Field(default=None, min_length=1, max_length=60)
    team: str | None = Field(default=None, max_length=60)
    starts_on: Annotated[Day | None, NotNull] = None
    due_on: Annotated[Day | None, NotNull] = None
    owner: str | None = Field(default=None, max_length=120)
    win_text: str | None = Field(default=None, max_length=300)
    announce_tasks: Annotated[bool | None, NotNull] = Field(default=None, strict=True)
    #: The version the change is based on (or send ``If-Match``).
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, strict=True)


class MoveIn(Input):
    """A move of the card to another column (``blocked`` needs a reason)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"to": "blocked", "reason": "Waiting for the owner's permission", "version": 3}]
        }
    )

    to: Status
    reason: str | None = Field(default=None, max_length=500)
    #: The version the move is based on (or send ``If-Match``).
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, strict=True)


class Card(BaseModel):
    """A micro-project as the board shows it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CARD]})

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


class PlanningWarning(BaseModel):
    """Advice on a saved project: too long a span, too large a priority (the change was made)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_WARNING]})

    code: str
    field: str | None = None
    message: str


class ProjectOut(Card):
    """A micro-project with its details, its tasks and the warnings its change earned."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _CARD
                | {
                    "description": None,
                    "justification": None,
                    "win_text": "The streetlights on Main Street between 3rd and 5th are fixed.",
                    "created_by": "crew-lead-ortiz",
                    "created_at": "2027-01-10T16:00:00Z",
                    "completed_at": None,
                    "tasks": [_TASK_OUT],
                    "warnings": [],
                }
            ]
        }
    )

    description: str | None
    justification: str | None
    win_text: str | None
    created_by: str
    created_at: datetime
    completed_at: datetime | None
    tasks: list[TaskOut] = Field(default_factory=list)
    warnings: list[PlanningWarning] = Field(default_factory=list)
    #: Layers' target-vs-control result once the project is done and has a place (impact/).
    target_control: TargetControl | None = Field(
        default=None,
        description="Incidents (and residents' sentiment) at the project's place before and after completion "
        "against matched control places; None until layers has a result.",
    )


class MoveOut(BaseModel):
    """One move of a card: from where to where, why, who and when."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "from_status": "planned",
                    "to_status": "in_progress",
                    "reason": None,
                    "moved_by": "crew-lead-ortiz",
                    "moved_at": "2027-01-12T09:30:00Z",
                }
            ]
        },
    )

    from_status: str | None
    to_status: str
    reason: str | None
    moved_by: str
    moved_at: datetime


class ReminderOut(BaseModel):
    """A reminder sent (``project.reminded``): which project, why, to whom."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"project_id": _PROJECT, "reason": "overdue", "owner": "crew-lead-ortiz", "department": "parks"}
            ]
        }
    )

    project_id: uuid.UUID
    reason: str
    owner: str | None
    department: str
