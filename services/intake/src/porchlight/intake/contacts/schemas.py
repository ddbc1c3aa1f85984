"""Contacts as the API takes and returns them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
)

ContactType = Literal["conversation", "youth_activity", "business_checkin", "event", "referral", "other"]
PlaceSource = Literal["body", "last_contact", "token_district"]

#: What the occurred_at check compares against (passed as validation context, see service.py).
CONTEXT_NOW, CONTEXT_MAX_FUTURE, CONTEXT_MAX_AGE = "now", "max_future", "max_age"


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text: a 422 naming the field, not a 500 at the insert.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
ShortText = Annotated[str, Field(min_length=1, max_length=120), NoNul]


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"lat": 42.3317, "lon": -71.0846}]})

    # Strict: numbers, not "42.33" (a person would not expect text to be read as a place).
    lat: float = Field(ge=-90, le=90, strict=True)
    lon: float = Field(ge=-180, le=180, strict=True)


class PlaceIn(BaseModel):
    """Any of these; the server resolves the rest (a point finds its district and neighborhood)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"district": "B2", "neighborhood": "roxbury"}]},
    )

    district: ShortText | None = None
    neighborhood: ShortText | None = None
    point: PointIn | None = None
    place_name: Annotated[str, Field(max_length=200), NoNul] | None = None

    def is_empty(self) -> bool:
        return not (self.district or self.neighborhood or self.point or self.place_name)


class ContactIn(BaseModel):
    """A positive community contact, as an officer's phone sends it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contact_type": "conversation",
                    "minutes": 15,
                    "residents_reached": 3,
                    "occurred_at": "2026-03-14T18:30:00Z",
                    "place": {"point": {"lat": 42.3317, "lon": -71.0846}},
                    "unit": "B2-bike",
                }
            ]
        },
    )

    id: uuid.UUID | None = Field(
        default=None, description="Client-generated id: a resend with the same id and content counts once"
    )
    contact_type: ContactType
    # Strict: "30" is a wrong type, not 30 (a phone that sends strings has a bug worth seeing).
    minutes: StrictInt = Field(ge=1, le=720)
    residents_reached: StrictInt = Field(ge=0, le=500)
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When it happened (default: now); at most a day ahead, at most a year old"
    )
    place: PlaceIn | None = Field(
        default=None, description="Default: the place of the officer's last contact, else the token's district"
    )
    # A code, not free text: it travels in contact.logged, which carries no free text.
    unit: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _./#-]*$")] | None = None
    note: Annotated[str, Field(max_length=2000), NoNul] | None = Field(
        default=None, description="Free text; stays in intake, shown raw to supervisors only, exported redacted"
    )

    @field_validator("occurred_at")
    @classmethod
    def _in_range(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            return None
        try:
            value = value.astimezone(UTC)
        except OverflowError as exc:  # year 1 at +01:00 is before year 1 in UTC
            raise ValueError("is out of range") from exc
        ctx = info.context or {}
        now: datetime | None = ctx.get(CONTEXT_NOW)
        if now is not None:
            future: timedelta = ctx[CONTEXT_MAX_FUTURE]
            if value > now + future:
                raise ValueError(f"is more than {future.total_seconds() / 3600:g} hours in the future")
            age: timedelta = ctx[CONTEXT_MAX_AGE]
            if value < now - age:
                raise ValueError(f"is more than {age.days} days in the past")
        return value


class PointOut(BaseModel):
    """A WGS84 point."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"lat": 42.3317, "lon": -71.0846}]})

    lat: float
    lon: float


class ContactPlaceOut(BaseModel):
    """Where a contact happened, as intake placed it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "district": "B2",
                    "neighborhood": "roxbury",
                    "point": {"lat": 42.3317, "lon": -71.0846},
                    "place_name": None,
                }
            ]
        }
    )

    district: str
    neighborhood: str | None = None
    point: PointOut | None = None
    place_name: str | None = None


#: One ContactOut as the API answers it (its own example, and a page's item).
CONTACT_EXAMPLE: dict[str, Any] = {
    "id": "3f1c9a52-8d0e-4b7a-9c61-2a5e7f0d4b18",
    "officer_id": "officer-117",
    "unit": "B2-bike",
    "contact_type": "conversation",
    "minutes": 15,
    "residents_reached": 3,
    "occurred_at": "2026-03-14T18:30:00Z",
    "place": {
        "district": "B2",
        "neighborhood": "roxbury",
        "point": {"lat": 42.3317, "lon": -71.0846},
        "place_name": None,
    },
    "place_source": "body",
    "has_note": True,
    "note": None,
    "created_at": "2026-03-14T18:31:02Z",
}


class ContactOut(BaseModel):
    """A positive community contact as stored (the note only for supervisors and admins)."""

    model_config = ConfigDict(json_schema_extra={"examples": [CONTACT_EXAMPLE]})

    id: uuid.UUID
    officer_id: str
    unit: str | None
    contact_type: ContactType
    minutes: int
    residents_reached: int
    occurred_at: datetime
    place: ContactPlaceOut
    place_source: PlaceSource = Field(description="body, the officer's last contact, or the token's district")
    has_note: bool
    note: str | None = Field(default=None, description="The raw note: only supervisors and admins see it")
    created_at: datetime


class ContactPage(BaseModel):
    """One page of contacts, newest first, and the cursor of the next."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [CONTACT_EXAMPLE],
                    "next_cursor": None,
                }
            ]
        }
    )

    items: list[ContactOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")


class TypeTotals(BaseModel):
    """Contacts and minutes of one contact type."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"contacts": 12, "minutes": 240}]})

    contacts: int
    minutes: int


class ContactSummary(BaseModel):
    """One officer's positive contacts in a month (for the phone's home screen)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "officer_id": "officer-117",
                    "month": "2026-03",
                    "contacts": 12,
                    "minutes": 240,
                    "hours": 4.0,
                    "residents_reached": 31,
                    "by_type": {"conversation": {"contacts": 12, "minutes": 240}},
                }
            ]
        }
    )

    officer_id: str
    month: str
    contacts: int
    minutes: int
    hours: float
    residents_reached: int
    by_type: dict[str, TypeTotals]
