"""The public pages' JSON (``GET /v1/public/...``): what the HTML page, the feed and the flyer show,
for a city's own website or app to show it too. Nothing here is personal: counts of at least 5
notes, quotes intake redacted, work and updates the city chose to publish."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.dashboard.pages.schemas import ConcernEstimate
from porchlight.dashboard.public.rendering.i18n import Language
from porchlight.events.catalog import GeoPoint

_RAISED_EX: JsonDict = {
    "topic": "street_lighting",
    "label": "Street lighting",
    "notes": 12,
    "meetings": 4,
    "estimate": {"count": 11, "low": 8, "high": 14, "basis": "evaluation", "labels": 2252},
    "about": "about 11 (8\u201314)",
    "quote": "It is pitch dark on Tremont after seven.",
}
_STEP_EX: JsonDict = {"on": "2027-01-12", "text": "Survey the dark poles"}
_WORK_EX: JsonDict = {
    "id": "0b7e4d8c-5f1a-4c2e-8d3b-2a9f6c1e7d40",
    "title": "Fix the streetlights on Tremont St",
    "place": "Tremont St between 3rd and 5th",
    "status": "in_progress",
    "status_text": "Under way",
    "starts_on": "2027-01-11",
    "due_on": "2027-01-17",
    "completed_on": None,
    "steps": [_STEP_EX],
}
_UPDATE_EX: JsonDict = {
    "id": "8a3e5c1f-2b7d-4f9a-9c6e-1d4b7a2f5e80",
    "kind": "win",
    "title": "The streetlights on Tremont St are fixed.",
    "body": "Public Works fixed 9 lights on Tremont St.",
    "you_said": "Neighbors raised street lighting 12 times at 4 meetings in South End since September 8.",
    "you_said_quote": "It is pitch dark on Tremont after seven.",
    "we_did": "Public Works finished 9 steps at Tremont St.",
    "published_at": "2027-01-18T15:00:00Z",
    "place": "Tremont St",
    "language": "en",
}
_PAGE_EX: JsonDict = {
    "kind": "neighborhood",
    "code": "south-end",
    "name": "South End",
    "district": "D4",
    "language": "en",
    "since": "2026-10-20",
    "raised": [_RAISED_EX],
    "quieter_topics": 3,
    "work": [_WORK_EX],
    "updates": [_UPDATE_EX],
    "url": "http://localhost:8000/public/en/neighborhoods/south-end",
    "feed_url": "http://localhost:8000/public/en/neighborhoods/south-end/feed.atom",
    "generated_at": "2027-01-18T15:00:05Z",
}


class RaisedTopic(BaseModel):
    """A topic neighbors raised in the place since ``since``: shown only from 5 notes up."""

    model_config = ConfigDict(json_schema_extra={"examples": [_RAISED_EX]})

    topic: str
    label: str = Field(description="The topic's name in the page's language")
    notes: int = Field(ge=5, description="Notes (conversations' records) that raised it")
    meetings: int = Field(ge=0, description="Meetings those notes came from")
    estimate: ConcernEstimate | None = Field(
        default=None, description="The notes allowing for the model's mistakes, 90 % range (ADR 0016)"
    )
    about: str = Field(description="The figure as the page says it, in its language")
    quote: str | None = Field(default=None, description="A neighbor's own words, redacted of anything personal")


_PHOTO_EX: JsonDict = {
    "url": "http://localhost:8000/public/photos/3c9d1e7a-5b2f-4a6c-8e1d-7f0a2b4c6d80/image.jpg",
    "thumb_url": "http://localhost:8000/public/photos/3c9d1e7a-5b2f-4a6c-8e1d-7f0a2b4c6d80/thumb.jpg",
    "alt": "A crew member on a lift replacing a streetlight on Tremont St",
}


class PublicPhoto(BaseModel):
    """An approved photo of the work, with what it shows for people who cannot see it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PHOTO_EX]})

    url: str
    thumb_url: str
    alt: str


class WorkStep(BaseModel):
    """A public task of the project, done on ``on``."""

    model_config = ConfigDict(json_schema_extra={"examples": [_STEP_EX]})

    on: date
    text: str


class PublicWork(BaseModel):
    """A public micro-project in the place and its timeline of done steps."""

    model_config = ConfigDict(json_schema_extra={"examples": [_WORK_EX]})

    id: uuid.UUID
    title: str
    place: str | None
    status: str
    status_text: str
    starts_on: date | None
    due_on: date | None
    completed_on: date | None
    steps: list[WorkStep]
    photos: list[PublicPhoto] = Field(default_factory=list)
    #: Where the work is, when its owner gave a point (city work, not a resident's place).
    point: GeoPoint | None = None


class PublicUpdate(BaseModel):
    """A published update (a win, a bulletin, a step announced) in the page's language."""

    model_config = ConfigDict(json_schema_extra={"examples": [_UPDATE_EX]})

    id: uuid.UUID
    kind: str
    title: str
    body: str
    #: "You said": what neighbors raised that the update answers, every number computed; one
    #: neighbor's words as intake redacted them; "we did": the work's public steps done.
    you_said: str | None = None
    you_said_quote: str | None = None
    we_did: str | None = None
    published_at: datetime
    place: str | None = None
    #: The language the title and body are in (English when no translation was published).
    language: Language
    #: Approved photos of the work it reports.
    photos: list[PublicPhoto] = Field(default_factory=list)

    def story(self) -> list[str]:
        """You said, a neighbor's words, we did: what every channel prints before the body."""
        quote = f"\u201c{self.you_said_quote}\u201d" if self.you_said_quote else None
        return [line for line in (self.you_said, quote, self.we_did) if line]


class PublicPage(BaseModel):
    """A neighborhood's or district's public page: what neighbors raised, what is being done, wins."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PAGE_EX]})

    kind: Literal["neighborhood", "district"]
    code: str
    name: str
    district: str | None = None
    language: Language
    since: date = Field(description="The first day of the period the topics are counted over")
    raised: list[RaisedTopic]
    quieter_topics: int = Field(ge=0, description="Topics raised in fewer than 5 notes: named and counted nowhere")
    work: list[PublicWork]
    updates: list[PublicUpdate]
    url: str
    feed_url: str
    generated_at: datetime
