"""The lists behind the district page's figures: each adds up to the figure it explains."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from porchlight.dashboard.pages.schemas import DISTRICT_EX, PERIOD_EX, DistrictRef, Period

MEETING_ROW_EX = {
    "kind": "meeting",
    "meeting_id": "7a4f2c1e-9b3d-4e5f-8a6b-1c2d3e4f5a6b",
    "note_id": None,
    "held_at": "2026-11-03T18:30:00Z",
    "venue_type": "living_room",
    "neighborhood": "Roxbury",
    "duration_minutes": 90,
    "counted": True,
    "meetings": 1,
    "minutes": 90.0,
    "hours": 1.5,
    "attendees": 7,
    "notes": 1,
    "host_id": "officer-17",
}
GROUP_ROW_EX = {"key": "conversation", "unit": None, "contacts": 12, "minutes": 360, "hours": 6.0, "residents": 30}
CATEGORY_EX = {"category": "Burglary", "nibrs_code": "220", "count": 4}
RECORD_EX = {"record_id": "3c1d9e2f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "category": "Burglary", "nibrs_code": "220"}


def _example(value: Mapping[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [dict(value)]})


class MeetingRow(BaseModel):
    """A meeting counted in the month's meeting figures, or a note filed without a scheduled meeting
    (counted as one meeting of the default length)."""

    model_config = _example(MEETING_ROW_EX)

    kind: Literal["meeting", "note"] = Field(description="A scheduled meeting, or a note filed without one")
    meeting_id: UUID | None = None
    note_id: UUID | None = Field(None, description="The note, for a note filed without a scheduled meeting")
    held_at: datetime | None = Field(description="When the meeting began (the note's time for a note on its own)")
    venue_type: str | None = Field(None, description="The kind of venue (never an address)")
    neighborhood: str | None = None
    duration_minutes: int | None = Field(None, description="The meeting's own length; null: the default counts")
    counted: bool = Field(
        description="Counted as a meeting hosted this month (false: a meeting held in another month or still to "
        "come, whose notes' attendees were filed this month)"
    )
    meetings: int = Field(description="What the row adds to 'Meetings hosted' (1 or 0)")
    minutes: float = Field(description="What the row adds to the meeting hours, in minutes")
    hours: float = Field(description="The same in hours (one decimal)")
    attendees: int = Field(description="Residents at it, from its notes filed this month")
    notes: int = Field(description="Its notes filed this month")
    host_id: str | None = Field(None, description="Who hosted it: supervisors and leadership only (null otherwise)")


class MeetingSources(BaseModel):
    """The meetings behind 'Meetings hosted', 'Residents reached at meetings' and the meeting hours;
    the rows add up to the totals, which are the district page's figures."""

    model_config = _example(
        {
            "district": DISTRICT_EX,
            "period": PERIOD_EX,
            "meetings_hosted": 1,
            "meeting_hours": 1.5,
            "residents_at_meetings": 7,
            "notes": 1,
            "default_hours": 1.0,
            "rows": [MEETING_ROW_EX],
        }
    )

    district: DistrictRef
    period: Period
    meetings_hosted: int
    meeting_hours: float
    residents_at_meetings: int
    notes: int
    default_hours: float = Field(description="The hours a meeting without its own length (or a note alone) counts")
    rows: list[MeetingRow]


class ContactRow(BaseModel):
    """Positive contacts of one type, unit or officer in the month (no resident, no address)."""

    model_config = _example(GROUP_ROW_EX)

    key: str = Field(description="The contact type, the unit ('' = none given) or the officer's id")
    unit: str | None = Field(None, description="The officer's unit (officer rows)")
    contacts: int
    minutes: int
    hours: float
    residents: int


class ContactSources(BaseModel):
    """The contacts behind 'Positive contacts', the contact hours and the residents reached by
    contacts; each grouping adds up to the totals (the district page's figures)."""

    model_config = _example(
        {
            "district": DISTRICT_EX,
            "period": PERIOD_EX,
            "contacts": 12,
            "contact_hours": 6.0,
            "residents": 30,
            "by_type": [GROUP_ROW_EX],
            "by_unit": [{**GROUP_ROW_EX, "key": "CPU"}],
            "by_officer": [{**GROUP_ROW_EX, "key": "officer-17", "unit": "CPU"}],
        }
    )

    district: DistrictRef
    period: Period
    contacts: int
    contact_hours: float
    residents: int
    by_type: list[ContactRow]
    by_unit: list[ContactRow]
    by_officer: list[ContactRow] | None = Field(
        None, description="Per officer: supervisors and analysts only (null for other roles)"
    )


class IncidentCategory(BaseModel):
    """Incidents of one category in the month."""

    model_config = _example(CATEGORY_EX)

    category: str
    nibrs_code: str | None = None
    count: int


class IncidentRecord(BaseModel):
    """One incident record counted (layers' ``GET /v1/records/{record_id}`` has the rest)."""

    model_config = _example(RECORD_EX)

    record_id: UUID
    category: str
    nibrs_code: str | None = None


class IncidentSources(BaseModel):
    """The incidents behind the crime panel's figures: counts per category (adding up to the
    total) and a page of the records themselves."""

    model_config = _example(
        {
            "district": DISTRICT_EX,
            "period": PERIOD_EX,
            "total": 4,
            "by_category": [CATEGORY_EX],
            "category": None,
            "records_total": 4,
            "records": [RECORD_EX],
            "next_cursor": None,
        }
    )

    district: DistrictRef
    period: Period
    total: int = Field(description="Incidents in the month (the crime panel's figure)")
    by_category: list[IncidentCategory]
    category: str | None = Field(None, description="The category the records are limited to, if any")
    records_total: int = Field(description="How many records match (all pages)")
    records: list[IncidentRecord]
    next_cursor: str | None = Field(None, description="The next page's cursor (also in the Link header)")
