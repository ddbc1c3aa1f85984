"""The standardized note form as the API takes and returns it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import GeoPoint
from porchlight.intake.meetings.schemas import Attendees, LongText, Moment, PlaceIn, PlaceOut, Text120, Text200, Text500


class ConcernIn(BaseModel):
    """One of the residents' top concerns, in a few words."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Speeding on Warren St after school",
                    "topic": "traffic",
                    "location": "Warren St at Moreland St",
                }
            ]
        },
    )

    text: Text500
    topic: Text120 | None = Field(default=None, description="A topic of the city's taxonomy, if the host knows it")
    location: Text200 | None = Field(default=None, description='Where, in words: "the alley behind Elm St"')
    point: GeoPoint | None = None


class NoteContext(BaseModel):
    """The parts of a note checked against meetings, the city's places and the clock."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [{"meeting_id": "8b2d4e61-1f3a-4c9e-b7d2-5e6f7a8b9c0d", "held_at": "2026-03-14T18:30:00Z"}]
        },
    )

    meeting_id: uuid.UUID | None = None
    place: PlaceIn | None = None
    held_at: Moment | None = None


class NoteIn(NoteContext):
    """A note: the place may be left out when the note is tied to a meeting (it inherits it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "meeting_id": "8b2d4e61-1f3a-4c9e-b7d2-5e6f7a8b9c0d",
                    "concerns": [{"text": "Speeding on Warren St after school"}],
                    "sentiment": 4,
                    "attendees": 7,
                    "follow_ups": ["Ask traffic for a speed table"],
                    "notes": "Mrs Ortiz offered her porch for the next one.",
                }
            ]
        },
    )

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id: a retry with the same form is a no-op")
    meeting_id: uuid.UUID | None = Field(default=None, description="The micro-meeting this note is of")
    place: PlaceIn | None = None
    held_at: Moment | None = Field(
        default=None, description="When it took place (default: the meeting's start, or now)"
    )
    concerns: list[ConcernIn] = Field(default_factory=list, max_length=5, description="Up to five top concerns")
    sentiment: int = Field(  # strict: "3" or true taken for a number would surprise the person
        ge=1, le=5, strict=True, description="Overall sentiment, 1 (very negative) to 5 (very positive)"
    )
    attendees: Attendees
    follow_ups: list[Text500] = Field(default_factory=list, max_length=10, description="Follow-ups residents asked for")
    notes: LongText = Field(default="", description="Free-text notes")


class ConcernOut(BaseModel):
    """One of a note's top concerns (redacted unless raw text was asked for)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Speeding on Warren St after school",
                    "topic": "traffic",
                    "location": "Warren St at Moreland St",
                    "point": None,
                }
            ]
        }
    )

    text: str
    topic: str | None = None
    location: str | None = None
    point: GeoPoint | None = None


class NoteContent(BaseModel):
    """What a note says: place, concerns, sentiment, attendees, follow-ups and notes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "meeting_id": "8b2d4e61-1f3a-4c9e-b7d2-5e6f7a8b9c0d",
                    "place": {
                        "district": "B2",
                        "neighborhood": "roxbury",
                        "point": {"lat": 42.3317, "lon": -71.0846},
                        "place_name": "Dudley branch library",
                    },
                    "concerns": [
                        {
                            "text": "Speeding on Warren St after school",
                            "topic": "traffic",
                            "location": "Warren St at Moreland St",
                            "point": None,
                        }
                    ],
                    "sentiment": 4,
                    "attendees": 7,
                    "follow_ups": ["Ask traffic for a speed table"],
                    "notes": "[NAME] offered her porch for the next one.",
                    "held_at": "2026-03-14T18:30:00Z",
                    "redacted": True,
                }
            ]
        }
    )

    meeting_id: uuid.UUID | None
    place: PlaceOut
    concerns: list[ConcernOut]
    sentiment: int | None
    attendees: int | None
    follow_ups: list[str]
    notes: str
    held_at: datetime
    redacted: bool = Field(description="True when texts have personal data replaced by placeholders")


#: One NoteOut as the API answers it (its own example, and a page's item).
NOTE_EXAMPLE: dict[str, Any] = {
    "id": "3f1c9a52-8d0e-4b7a-9c61-2a5e7f0d4b18",
    "revision": 1,
    "host_id": "liaison-042",
    "submitted_at": "2026-03-14T19:05:00Z",
    "revised_at": None,
    "meeting_id": "8b2d4e61-1f3a-4c9e-b7d2-5e6f7a8b9c0d",
    "place": {
        "district": "B2",
        "neighborhood": "roxbury",
        "point": {"lat": 42.3317, "lon": -71.0846},
        "place_name": "Dudley branch library",
    },
    "concerns": [
        {
            "text": "Speeding on Warren St after school",
            "topic": "traffic",
            "location": "Warren St at Moreland St",
            "point": None,
        }
    ],
    "sentiment": 4,
    "attendees": 7,
    "follow_ups": ["Ask traffic for a speed table"],
    "notes": "[NAME] offered her porch for the next one.",
    "held_at": "2026-03-14T18:30:00Z",
    "redacted": True,
}


class NoteOut(NoteContent):
    """A note: its current revision's content (redacted unless raw was asked for)."""

    model_config = ConfigDict(json_schema_extra={"examples": [NOTE_EXAMPLE]})

    id: uuid.UUID
    revision: int
    host_id: str
    submitted_at: datetime
    revised_at: datetime | None


class NotePage(BaseModel):
    """One page of notes, newest first, and the cursor of the next."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [NOTE_EXAMPLE],
                    "next_cursor": None,
                }
            ]
        }
    )

    items: list[NoteOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


#: One revision as the API answers it (its own example, and a list's item).
REVISION_EXAMPLE: dict[str, Any] = {
    "revision": 1,
    "author_id": "liaison-042",
    "created_at": "2026-03-14T19:05:00Z",
    "meeting_id": "8b2d4e61-1f3a-4c9e-b7d2-5e6f7a8b9c0d",
    "place": {
        "district": "B2",
        "neighborhood": "roxbury",
        "point": {"lat": 42.3317, "lon": -71.0846},
        "place_name": "Dudley branch library",
    },
    "concerns": [
        {
            "text": "Speeding on Warren St after school",
            "topic": "traffic",
            "location": "Warren St at Moreland St",
            "point": None,
        }
    ],
    "sentiment": 4,
    "attendees": 7,
    "follow_ups": ["Ask traffic for a speed table"],
    "notes": "[NAME] offered her porch for the next one.",
    "held_at": "2026-03-14T18:30:00Z",
    "redacted": True,
}


class RevisionOut(NoteContent):
    """One revision of a note: who wrote it, when, and what it said."""

    model_config = ConfigDict(json_schema_extra={"examples": [REVISION_EXAMPLE]})

    revision: int
    author_id: str
    created_at: datetime


class RevisionList(BaseModel):
    """Every revision of a note, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "note_id": "3f1c9a52-8d0e-4b7a-9c61-2a5e7f0d4b18",
                    "items": [REVISION_EXAMPLE],
                }
            ]
        }
    )

    note_id: uuid.UUID
    items: list[RevisionOut] = Field(description="Oldest first; revision 1 is the submission")
