"""The meeting form as the API takes and returns it; the place part notes share."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from porchlight.events.catalog import GeoPoint
from porchlight.kit.errors import human_error

VenueType = Literal["living_room", "library", "place_of_worship", "coffee_shop", "school", "park", "online", "other"]
HostKind = Literal["officer", "liaison", "supervisor", "partner", "admin"]


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text: say so as a 422 instead of failing at the insert.
    if "\x00" in value:
        raise ValueError("this text holds an invisible control character (NUL): please retype it")
    return value


#: Free text, trimmed, without NUL characters.
Text500 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_no_nul)
]
Text200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_no_nul)
]
Text120 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), AfterValidator(_no_nul)
]
LongText = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_no_nul)]


def _fits_utc(value: datetime) -> datetime:
    # Stored as timestamptz: a time that leaves the calendar in UTC (year 1 at +01:00) is a 422.
    try:
        value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("this date is out of range") from exc
    return value


_LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


def _language(value: str) -> str:
    # Checked here rather than by ``pattern=``: pydantic would show people the regular expression.
    if not re.fullmatch(_LANGUAGE, value):
        raise human_error("language", "Use a language code, such as en, es or pt-BR.")
    return value


#: A language tag (BCP 47) as people write it: en, es, pt-BR, zh-Hant.
Language = Annotated[str, AfterValidator(_language), Field(json_schema_extra={"pattern": _LANGUAGE})]

#: A date-time with its offset, that still falls within years 1-9999 in UTC.
Moment = Annotated[AwareDatetime, AfterValidator(_fits_utc)]
#: A count of people: a number in the form, never "8" or true (strict: a person would not expect either).
Attendees = Annotated[int, Field(ge=0, le=500, strict=True)]


class PlaceIn(BaseModel):
    """Where: a district or a point at least; the neighborhood and a named place optionally."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"district": "B2", "neighborhood": "roxbury", "place_name": "Dudley branch library"}]
        },
    )

    district: str | None = Field(default=None, max_length=64, description="District code")
    neighborhood: str | None = Field(default=None, max_length=120, description="Neighborhood code")
    point: GeoPoint | None = None
    place_name: Text200 | None = Field(default=None, description='A named place, e.g. "Elm St branch library"')


class PlaceOut(BaseModel):
    """Where a meeting or note took place, as intake placed it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "district": "B2",
                    "neighborhood": "roxbury",
                    "point": {"lat": 42.3317, "lon": -71.0846},
                    "place_name": "Dudley branch library",
                }
            ]
        }
    )

    district: str
    neighborhood: str | None = None
    point: GeoPoint | None = None
    place_name: str | None = None


class FormWarning(BaseModel):
    """Accepted, but worth a second look."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"field": "body.expected_attendees", "message": "more residents than a kitchen table (9)"}]
        }
    )

    field: str
    message: str


class MeetingContext(BaseModel):
    """The parts of a meeting checked against the city's places and the clock."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"examples": [{"place": {"district": "B2"}, "starts_at": "2026-03-14T18:30:00Z"}]},
    )

    place: PlaceIn | None = None
    starts_at: Moment | None = None
    actual_attendees: Attendees | None = None


class MeetingIn(MeetingContext):
    """A micro-meeting: the host is the caller; co-hosts are named by their ids or names."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "venue_type": "library",
                    "place": {"district": "B2", "place_name": "Dudley branch library"},
                    "starts_at": "2026-03-14T18:30:00Z",
                    "duration_minutes": 60,
                    "expected_attendees": 8,
                    "co_hosts": ["Pastor Reyes"],
                }
            ]
        },
    )

    id: uuid.UUID | None = Field(default=None, description="Client-chosen id: a retry with the same form is a no-op")
    co_hosts: list[Text120] = Field(default_factory=list, max_length=5)
    venue_type: VenueType
    place: PlaceIn
    starts_at: Moment
    duration_minutes: int | None = Field(
        default=None,
        ge=1,
        le=600,
        strict=True,
        description="How long it runs, 1-600 minutes (unknown: engagement counts 60)",
    )
    language: Language = Field(default="en", description="BCP 47 tag")
    expected_attendees: Attendees | None = None
    actual_attendees: Attendees | None = Field(default=None, description="Only once the meeting has started")


class MeetingPatch(BaseModel):
    """After the meeting: how many residents actually came (and for how long it ran)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"actual_attendees": 11, "duration_minutes": 75}]}
    )

    actual_attendees: Attendees
    duration_minutes: int | None = Field(
        default=None, ge=1, le=600, strict=True, description="How long it really ran, minutes"
    )


class HostOut(BaseModel):
    """Who hosts a meeting: their id (token subject), kind and organization."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "officer-117", "kind": "officer", "organization": None}]}
    )

    id: str
    kind: HostKind
    organization: str | None = None


#: One MeetingOut as the API answers it (its own example, and a page's item).
MEETING_EXAMPLE: dict[str, Any] = {
    "id": "8b2d4e61-1f3a-4c9e-b7d2-5e6f7a8b9c0d",
    "host": {"id": "officer-117", "kind": "officer", "organization": None},
    "co_hosts": ["Pastor Reyes"],
    "venue_type": "library",
    "place": {
        "district": "B2",
        "neighborhood": "roxbury",
        "point": {"lat": 42.3317, "lon": -71.0846},
        "place_name": "Dudley branch library",
    },
    "starts_at": "2026-03-14T18:30:00Z",
    "duration_minutes": 60,
    "language": "en",
    "expected_attendees": 8,
    "actual_attendees": None,
    "created_at": "2026-03-10T12:00:00Z",
    "updated_at": "2026-03-10T12:00:00Z",
    "warnings": [],
}


class MeetingOut(BaseModel):
    """A micro-meeting as stored, with the warnings its form raised."""

    model_config = ConfigDict(json_schema_extra={"examples": [MEETING_EXAMPLE]})

    id: uuid.UUID
    host: HostOut
    co_hosts: list[str]
    venue_type: VenueType
    place: PlaceOut
    starts_at: datetime
    duration_minutes: int | None
    language: str
    expected_attendees: int | None
    actual_attendees: int | None
    created_at: datetime
    updated_at: datetime
    warnings: list[FormWarning] = Field(default_factory=list, description="e.g. more residents than a kitchen table")


class MeetingPage(BaseModel):
    """One page of meetings, newest first, and the cursor of the next."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [MEETING_EXAMPLE],
                    "next_cursor": None,
                }
            ]
        }
    )

    items: list[MeetingOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")
