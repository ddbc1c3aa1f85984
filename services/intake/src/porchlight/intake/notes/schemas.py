"""The standardized note form as the API takes and returns it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import GeoPoint
from porchlight.intake.meetings.schemas import Attendees, LongText, Moment, PlaceIn, PlaceOut, Text120, Text200, Text500


class ConcernIn(BaseModel):
    """One of the residents' top concerns, in a few words."""

    model_config = ConfigDict(extra="forbid")

    text: Text500
    topic: Text120 | None = Field(default=None, description="A topic of the city's taxonomy, if the host knows it")
    location: Text200 | None = Field(default=None, description='Where, in words: "the alley behind Elm St"')
    point: GeoPoint | None = None


class NoteContext(BaseModel):
    """The parts of a note checked against meetings, the city's places and the clock."""

    model_config = ConfigDict(extra="ignore")

    meeting_id: uuid.UUID | None = None
    place: PlaceIn | None = None
    held_at: Moment | None = None


class NoteIn(NoteContext):
    """A note: the place may be left out when the note is tied to a meeting (it inherits it)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id: a retry with the same form is a no-op")
    meeting_id: uuid.UUID | None = Field(default=None, description="The micro-meeting this note is of")
    place: PlaceIn | None = None
    held_at: Moment | None = Field(
        default=None, description="When it took place (default: the meeting's start, or now)"
    )
    concerns: list[ConcernIn] = Field(default_factory=list, max_length=5, description="Up to five top concerns")
    sentiment: int = Field(ge=1, le=5, description="Overall sentiment, 1 (very negative) to 5 (very positive)")
    attendees: Attendees
    follow_ups: list[Text500] = Field(default_factory=list, max_length=10, description="Follow-ups residents asked for")
    notes: LongText = Field(default="", description="Free-text notes")


class ConcernOut(BaseModel):
    text: str
    topic: str | None = None
    location: str | None = None
    point: GeoPoint | None = None


class NoteContent(BaseModel):
    meeting_id: uuid.UUID | None
    place: PlaceOut
    concerns: list[ConcernOut]
    sentiment: int | None
    attendees: int | None
    follow_ups: list[str]
    notes: str
    held_at: datetime
    redacted: bool = Field(description="True when texts have personal data replaced by placeholders")


class NoteOut(NoteContent):
    id: uuid.UUID
    revision: int
    host_id: str
    submitted_at: datetime
    revised_at: datetime | None


class NotePage(BaseModel):
    items: list[NoteOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class RevisionOut(NoteContent):
    revision: int
    author_id: str
    created_at: datetime


class RevisionList(BaseModel):
    note_id: uuid.UUID
    items: list[RevisionOut] = Field(description="Oldest first; revision 1 is the submission")
