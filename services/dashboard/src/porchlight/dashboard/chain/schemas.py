"""Shapes of "you said, we did": note -> concern -> priority -> micro-project -> task -> win.

Every count is computed from the notes when asked; residents' words (a concern's text, a quote)
are given only to callers who read the words of that district (``text`` is None otherwise:
``words_withheld`` says so).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

_NOTE = "5d0c2a8e-2f3b-4c59-9e0a-7d1b2c3d4e5f"
_PRIORITY = "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10"
_PROJECT = "0b7e4d8c-5f1a-4c2e-8d3b-2a9f6c1e7d40"
_WIN = "8a3e5c1f-2b7d-4f9a-9c6e-1d4b7a2f5e80"
_COUNT: JsonDict = {
    "topic": "street_lighting",
    "label": "Street lighting",
    "district": "D4",
    "neighborhood": "south-end",
    "notes": 12,
    "meetings": 4,
    "first_heard": "2026-09-08T18:30:00Z",
}
_QUOTE: JsonDict = {
    "note_id": _NOTE,
    "position": 0,
    "topic": "street_lighting",
    "text": "It is pitch dark on Tremont after seven.",
    "district": "D4",
    "neighborhood": "south-end",
    "held_at": "2026-09-08T18:30:00Z",
    "available": True,
}
_ANSWERED: JsonDict = {
    "heard_since": "2026-07-01",
    "until": "2027-01-15T17:00:00Z",
    "concerns": [_COUNT],
    "notes": 12,
    "meetings": 4,
    "quotes": [_QUOTE],
}


_CONCERN: JsonDict = {"position": 0, "topic": "street_lighting", "label": "Street lighting", "text": _QUOTE["text"]}
_NOTE_EX: JsonDict = {
    "note_id": _NOTE,
    "district": "D4",
    "neighborhood": "south-end",
    "held_at": "2026-09-08T18:30:00Z",
    "meeting_id": None,
    "concerns": [_CONCERN],
}
_PRIORITY_EX: JsonDict = {
    "priority_id": _PRIORITY,
    "title": "Safer streets in D4",
    "district": "D4",
    "neighborhood": "south-end",
    "quarter": "2027-Q1",
    "answered": _ANSWERED | {"until": None},
}
_TASK: JsonDict = {
    "task_id": "2c9d1e4f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
    "title": "Replace 9 lights",
    "done": True,
    "completed_at": "2027-01-15T16:00:00Z",
    "public": True,
}
_PROJECT_EX: JsonDict = {
    "project_id": _PROJECT,
    "priority_id": _PRIORITY,
    "title": "Fix the streetlights on Tremont",
    "department": "public-works",
    "district": "D4",
    "neighborhood": "south-end",
    "place": "Tremont St",
    "status": "done",
    "public": True,
    "completed_at": "2027-01-15T16:00:00Z",
    "tasks_done": 1,
    "tasks": [_TASK],
}
_WIN_EX: JsonDict = {
    "update_id": _WIN,
    "kind": "win",
    "title": "The lights on Tremont St are back.",
    "published_at": "2027-01-15T17:00:00Z",
    "project_id": _PROJECT,
    "priority_id": _PRIORITY,
    "answered": _ANSWERED,
}


def _example(value: JsonDict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class ConcernCount(BaseModel):
    """One picked concern (a topic in a place) and the notes and meetings that raised it."""

    model_config = _example(_COUNT)

    topic: str
    label: str = Field(description="The topic's name as synthesis gives it")
    district: str
    neighborhood: str | None = None
    notes: int = Field(description="Notes that raised the topic in the place, in the period")
    meetings: int = Field(description="Meetings those notes were taken at")
    first_heard: datetime | None = Field(None, description="When the first of them was held")


class Quote(BaseModel):
    """Residents' words quoted by reference: the ``position``-th concern of note ``note_id``."""

    model_config = _example(_QUOTE)

    note_id: UUID
    position: int
    topic: str | None = None
    text: str | None = Field(None, description="As intake redacted it; None when withheld or erased")
    district: str | None = None
    neighborhood: str | None = None
    held_at: datetime | None = None
    available: bool = Field(description="False when the note's words were erased (or no such concern is known)")


class Answered(BaseModel):
    """What a priority or a win answers: its concerns counted from ``heard_since`` to ``until``."""

    model_config = _example(_ANSWERED)

    heard_since: date | None
    until: datetime | None = Field(None, description="A win's publication (a priority counts to now)")
    concerns: list[ConcernCount]
    notes: int = Field(description="Notes picked by any of the concerns (a note raising two counts once)")
    meetings: int
    quotes: list[Quote]


class ChainConcern(BaseModel):
    """A concern of a note, as it counts (the model's reading once analysed)."""

    model_config = _example(_CONCERN)

    position: int
    topic: str | None
    label: str | None
    text: str | None = Field(None, description="As intake redacted it; None when withheld or erased")


class ChainNote(BaseModel):
    """A note behind the chain: when and where it was taken, at which meeting, its concerns."""

    model_config = _example(_NOTE_EX)

    note_id: UUID
    district: str
    neighborhood: str | None
    held_at: datetime
    meeting_id: UUID | None
    concerns: list[ChainConcern]


class ChainPriority(BaseModel):
    """A priority and what it answers, counted from the notes up to now."""

    model_config = _example(_PRIORITY_EX)

    priority_id: UUID
    title: str
    district: str
    neighborhood: str | None
    quarter: str
    answered: Answered


class ChainTask(BaseModel):
    """A task of a micro-project: done or not, when, and whether residents see it."""

    model_config = _example(_TASK)

    task_id: UUID
    title: str | None
    done: bool
    completed_at: datetime | None
    public: bool


class ChainProject(BaseModel):
    """A micro-project of the chain: its department, place, status and tasks."""

    model_config = _example(_PROJECT_EX)

    project_id: UUID
    priority_id: UUID | None
    title: str
    department: str
    district: str
    neighborhood: str | None
    place: str | None
    status: str
    public: bool
    completed_at: datetime | None
    tasks_done: int
    tasks: list[ChainTask]


class ChainWin(BaseModel):
    """A published update (a win) and what it answers, counted up to its publication."""

    model_config = _example(_WIN_EX)

    update_id: UUID
    kind: str
    title: str
    published_at: datetime
    project_id: UUID | None
    priority_id: UUID | None
    answered: Answered | None = Field(None, description="None for an update that names no concerns")


class Chain(BaseModel):
    """From any link of the chain, every other: the notes (newest first, at most ``NOTES_LISTED``),
    the priorities that pick them, their micro-projects and tasks, the wins published."""

    model_config = _example(
        {
            "start": "update",
            "id": _WIN,
            "district": "D4",
            "words_withheld": False,
            "notes_total": 12,
            "notes": [_NOTE_EX],
            "priorities": [_PRIORITY_EX],
            "projects": [_PROJECT_EX],
            "wins": [_WIN_EX],
        }
    )

    start: Literal["note", "priority", "project", "update"]
    id: UUID
    district: str
    words_withheld: bool = Field(description="True when the caller does not read this district's words")
    notes_total: int
    notes: list[ChainNote]
    priorities: list[ChainPriority]
    projects: list[ChainProject]
    wins: list[ChainWin]
