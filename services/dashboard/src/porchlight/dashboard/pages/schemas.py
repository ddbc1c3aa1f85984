"""The JSON the web UI's district and city pages read (documented in the OpenAPI)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Trend = Literal["up", "down", "steady", "new"]

# Examples, each once: the larger shapes are made of the smaller ones' examples.
DISTRICT_EX = {"code": "B2", "name": "District B2 (Roxbury)"}
PERIOD_EX = {
    "month": "2026-11",
    "start": "2026-11-01",
    "end": "2026-12-01",
    "under_way": True,
    "through": "2026-11-05",
    "days": 5,
    "label": "1-5 November 2026 so far",
}
ENGAGEMENT_EX = {
    "meetings_hosted": 6,
    "meetings_upcoming": 1,
    "notes": 6,
    "residents_reached": 131,
    "residents_at_meetings": 41,
    "residents_via_contacts": 90,
    "contacts": 37,
    "contact_hours": 18.5,
    "meeting_hours": 6.0,
    "engagement_hours": 24.5,
    "contacts_previous_month": 31,
    "engagement_hours_previous_month": 21.0,
}
GROUP_EX = {"key": "community-service", "unit": None, "contacts": 12, "hours": 6.0, "residents": 30}
ESTIMATE_EX = {"count": 8, "low": 6, "high": 11, "basis": "evaluation", "labels": 2252}
CONCERN_EX = {
    "topic": "street_lighting",
    "label": "Street lighting",
    "count": 9,
    "previous_count": 5,
    "trend": "up",
    "change": "5 → 9",
    "share": 0.31,
    "quote": "The lights on the corner by the bus stop have been out for weeks.",
    "estimate": ESTIMATE_EX,
}
SENTIMENT_MONTH_EX = {"month": "2026-11", "notes": 6, "average": 3.2, "positive": 2, "neutral": 3, "negative": 1}
SENTIMENT_EX = {"average": 3.2, "previous_average": 2.9, "positive_share": 0.33, "trend": [SENTIMENT_MONTH_EX]}
PROJECTS_EX = {
    "planned": 4,
    "in_progress": 2,
    "blocked": 1,
    "overdue": 1,
    "done": 3,
    "done_in_month": 2,
    "by_remedy_kind": {"physical": 3, "positive_activity": 2, "enforcement": 1},
}
WIN_EX = {
    "update_id": "5b1e8f9e-3c4d-4f6a-8b1c-2d3e4f5a6b7c",
    "title": "Streetlights fixed on Tremont St",
    "body": "Public Works replaced nine lights residents asked about at two meetings.",
    "neighborhood": "roxbury",
    "published_at": "2026-11-20T15:00:00Z",
    "project_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
}
CATEGORY_EX = {"category": "Motor vehicle theft", "nibrs_code": "240", "count": 7, "previous_month": 4, "last_year": 5}
CRIME_MONTH_EX = {"month": "2026-11", "count": 54}
CRIME_EX = {
    "total": 54,
    "previous_month": 61,
    "last_year": 58,
    "change_vs_previous_month": -0.115,
    "change_vs_last_year": -0.069,
    "vs_previous_month": "-11% vs last month",
    "vs_last_year": "-7% vs last year",
    "by_category": [CATEGORY_EX],
    "trend": [CRIME_MONTH_EX],
}
INSIGHT_EX = {
    "period_start": "2026-11-01",
    "period_end": "2026-12-01",
    "top_topics": ["street_lighting", "speeding_traffic"],
    "summary": "Street lighting was raised in 9 notes, up from 5.",
    "model_version": "3/9f2c1a/minilm-l6-v2",
}


def _example(value: Mapping[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [dict(value)]})


class DistrictRef(BaseModel):
    """A district of the city: its code and name."""

    model_config = _example(DISTRICT_EX)

    code: str = Field(description="District code, e.g. 'B2'")
    name: str


class Period(BaseModel):
    """The calendar month a page or report covers (UTC)."""

    model_config = _example(PERIOD_EX)

    month: str = Field(description="YYYY-MM")
    start: date
    end: date = Field(description="Exclusive: the first day of the next month")
    under_way: bool = Field(
        default=False,
        description="The month has begun and not ended: every figure is 'so far', compared only with the same "
        "days of the month before (or not at all, for figures kept per month)",
    )
    through: date | None = Field(default=None, description="The last day counted (today for a month under way)")
    days: int = Field(default=0, description="The days counted")
    label: str = Field(default="", description="The days counted in words, e.g. '1-5 May 2026 so far'")


class Engagement(BaseModel):
    """Positive community activity only: enforcement and patrol are never counted here."""

    model_config = _example(ENGAGEMENT_EX)

    meetings_hosted: int = Field(description="Micro-meetings held in the month (and notes filed without a meeting)")
    meetings_upcoming: int = Field(description="Meetings scheduled later in the month")
    notes: int
    residents_reached: int = Field(
        description="Residents at meetings (notes' attendees) + residents reached by contacts"
    )
    residents_at_meetings: int
    residents_via_contacts: int
    contacts: int = Field(description="Positive community contacts logged by officers")
    contact_hours: float
    meeting_hours: float = Field(
        description="Hours of the meetings held: each meeting's duration_minutes (meeting.scheduled) when given, "
        "else 60 minutes (PORCHLIGHT_DASHBOARD_MEETING_HOURS); a note filed without a meeting counts 60 minutes too"
    )
    engagement_hours: float = Field(description="contact_hours + meeting_hours")
    contacts_previous_month: int
    engagement_hours_previous_month: float


class ContactGroup(BaseModel):
    """Positive contacts of one unit, officer or contact type in the month."""

    model_config = _example(GROUP_EX)

    key: str = Field(description="The unit, officer id or contact type ('' = no unit given)")
    unit: str | None = None
    contacts: int
    hours: float
    residents: int


class ConcernEstimate(BaseModel):
    """A topic's notes allowing for the model's mistakes, with the range it is 90 % sure of: estimated
    from how sure the model was of each concern, calibrated as synthesis calibrates (ADR 0016)."""

    model_config = _example(ESTIMATE_EX)

    count: int = Field(ge=0, description="Estimated notes that truly raised the topic")
    low: int = Field(ge=0, description="Lower end of the 90 % interval")
    high: int = Field(ge=0, description="Upper end of the 90 % interval")
    basis: str = Field(
        description="Where the calibration was measured: the city's 'corrections' or an 'evaluation' shipped "
        "with the model"
    )
    labels: int = Field(ge=0, description="How many labeled concerns the calibration stands on")


class Concern(BaseModel):
    """A topic residents raised in the month, with its count, trend and a resident's own words."""

    model_config = _example(CONCERN_EX)

    topic: str = Field(description="The topic's code in synthesis' taxonomy")
    label: str = Field(
        description="The topic's name as synthesis' taxonomy gives it (the name its insight and summary use)"
    )
    count: int = Field(description="Notes that raised the topic in the month (as synthesis analysed them)")
    mentions: int = Field(0, description="Concern statements about the topic in those notes")
    previous_count: int = Field(
        description="Notes that raised it the month before; for a month under way, the same days of it "
        "(days 1-5 on the 5th)"
    )
    trend: Trend
    change: str = Field(
        default="", description="count against previous_count in words: '+30%', or '2 → 7' under 10 on either side"
    )
    share: float = Field(description="Of the month's notes that raised any topic, 0..1")
    quote: str | None = Field(description="A resident's own words (redacted), the most typical of the topic")
    estimate: ConcernEstimate | None = Field(
        default=None,
        description="count allowing for the model's mistakes, with a 90 % interval; none until synthesis has "
        "published its calibration",
    )


class SentimentMonth(BaseModel):
    """One month of the hosts' and the model's reading of how residents felt."""

    model_config = _example(SENTIMENT_MONTH_EX)

    month: str
    notes: int
    average: float | None = Field(description="Hosts' overall sentiment, 1 (very negative) .. 5 (very positive)")
    positive: int = Field(description="Notes the model read as positive")
    neutral: int
    negative: int


class Sentiment(BaseModel):
    """How residents felt this month, against the month before, and the last six months."""

    model_config = _example(SENTIMENT_EX)

    average: float | None
    previous_average: float | None
    positive_share: float | None = Field(description="Of the month's analysed notes, 0..1")
    trend: list[SentimentMonth] = Field(description="The last six months, oldest first")


class Projects(BaseModel):
    """Micro-projects of the district by state, and by DICE remedy kind."""

    model_config = _example(PROJECTS_EX)

    planned: int = Field(description="Open micro-projects not yet due (proposed, planned, in progress, blocked)")
    in_progress: int = Field(description="Open projects whose card is in 'in progress'")
    blocked: int = Field(description="Open projects whose card is in 'blocked'")
    overdue: int = Field(description="Open micro-projects past their due date (not counted in planned)")
    done: int = Field(description="Completed (ever, up to the end of the month)")
    done_in_month: int
    by_remedy_kind: dict[str, int] = Field(description="Projects per DICE remedy kind (enforcement kept apart)")


class Win(BaseModel):
    """A win published to residents ("you said, we did")."""

    model_config = _example(WIN_EX)

    update_id: UUID
    title: str
    body: str
    neighborhood: str | None
    published_at: datetime
    project_id: UUID | None


class CrimeCategory(BaseModel):
    """Incidents of one offence category: this month, last month, the same month last year."""

    model_config = _example(CATEGORY_EX)

    category: str
    nibrs_code: str | None
    count: int
    previous_month: int
    last_year: int


class CrimeMonth(BaseModel):
    """Incidents of one month."""

    model_config = _example(CRIME_MONTH_EX)

    month: str
    count: int


class Crime(BaseModel):
    """Crime incidents of the month next to the engagement figures, with changes."""

    model_config = _example(CRIME_EX)

    total: int
    previous_month: int
    last_year: int = Field(description="The same month a year before")
    change_vs_previous_month: float | None = Field(
        description="Relative change, e.g. -0.12 = 12 % fewer; null when the base is 0, either count is under 10, "
        "or the month is under way (incidents are kept per month: no like-for-like days to compare)"
    )
    change_vs_last_year: float | None
    vs_previous_month: str = Field(
        default="", description="In words: '-12% vs last month', '2 → 7 vs last month', or '54 in all of last month'"
    )
    vs_last_year: str = Field(default="", description="In words, as vs_previous_month")
    by_category: list[CrimeCategory]
    trend: list[CrimeMonth] = Field(description="The last twelve months, oldest first")


class Insight(BaseModel):
    """Synthesis' latest plain-words summary of the district."""

    model_config = _example(INSIGHT_EX)

    period_start: date
    period_end: date
    top_topics: list[str]
    summary: str
    model_version: str


class DistrictPage(BaseModel):
    """Everything the supervisor's district page shows for one month."""

    model_config = _example(
        {
            "district": DISTRICT_EX,
            "period": PERIOD_EX,
            "engagement": ENGAGEMENT_EX,
            "by_unit": [GROUP_EX],
            "by_officer": [],
            "by_contact_type": [GROUP_EX],
            "top_concerns": [CONCERN_EX],
            "sentiment": SENTIMENT_EX,
            "projects": PROJECTS_EX,
            "wins": [WIN_EX],
            "wins_count": 1,
            "crime": CRIME_EX,
            "insight": INSIGHT_EX,
        }
    )

    district: DistrictRef
    period: Period
    engagement: Engagement
    by_unit: list[ContactGroup]
    by_officer: list[ContactGroup] = Field(
        description="Top 20 officers (supervisors, analysts, admins only; else empty)"
    )
    by_contact_type: list[ContactGroup]
    top_concerns: list[Concern] = Field(description="Ranked, at most 10")
    sentiment: Sentiment
    projects: Projects
    wins: list[Win] = Field(description="Wins published in the month, newest first (at most 10)")
    wins_count: int
    crime: Crime
    insight: Insight | None = Field(description="Synthesis' latest summary of the district, if any")


class DistrictSummary(BaseModel):
    """One district's line on the city page."""

    model_config = _example(
        {
            "district": DISTRICT_EX,
            "engagement": ENGAGEMENT_EX,
            "top_concern": CONCERN_EX,
            "top_concerns": [CONCERN_EX],
            "sentiment_average": 3.2,
            "projects": PROJECTS_EX,
            "wins_count": 1,
            "crime": CRIME_EX,
        }
    )

    district: DistrictRef
    engagement: Engagement
    top_concern: Concern | None = Field(description="The topic that dominates the district this month")
    top_concerns: list[Concern] = Field(description="At most 3")
    sentiment_average: float | None
    projects: Projects
    wins_count: int
    crime: Crime


class CityPage(BaseModel):
    """All districts side by side for one month, with the city's totals."""

    model_config = _example(
        {
            "city": "Boston (demo)",
            "period": PERIOD_EX,
            "districts": [],
            "totals": ENGAGEMENT_EX,
            "crime_total": 54,
            "crime_previous_month": 61,
            "crime_last_year": 58,
        }
    )

    city: str
    period: Period
    districts: list[DistrictSummary]
    totals: Engagement
    crime_total: int
    crime_previous_month: int
    crime_last_year: int


class MeetingRef(BaseModel):
    """The meeting a note was taken at: its kind of venue and when it began (never an address)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "meeting_id": "7a4f2c1e-9b3d-4e5f-8a6b-1c2d3e4f5a6b",
                    "venue_type": "living_room",
                    "starts_at": "2026-11-20T18:30:00Z",
                    "neighborhood": "Roxbury",
                }
            ]
        }
    )

    meeting_id: UUID
    venue_type: str
    starts_at: datetime
    neighborhood: str | None


class NoteSource(BaseModel):
    """Where a note behind a figure comes from: when, which meeting, which place — and who hosted
    it, for supervisors and leadership only (``host_id`` is null for other roles)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "note_id": "0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11",
                    "district": "D1",
                    "neighborhood": "Duckpond",
                    "held_at": "2026-11-20T18:30:00Z",
                    "attendees": 7,
                    "meeting": {
                        "meeting_id": "7a4f2c1e-9b3d-4e5f-8a6b-1c2d3e4f5a6b",
                        "venue_type": "living_room",
                        "starts_at": "2026-11-20T18:30:00Z",
                        "neighborhood": "Duckpond",
                    },
                    "host_id": "officer-17",
                }
            ]
        }
    )

    note_id: UUID
    district: str
    neighborhood: str | None
    held_at: datetime
    attendees: int | None
    meeting: MeetingRef | None
    host_id: str | None = Field(description="Who hosted the meeting; only for supervisors, analysts and admins")
