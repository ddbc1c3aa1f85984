"""The JSON the web UI's district and city pages read (documented in the OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

Trend = Literal["up", "down", "steady", "new"]


class DistrictRef(BaseModel):
    code: str = Field(description="District code, e.g. 'B2'")
    name: str


class Period(BaseModel):
    month: str = Field(description="YYYY-MM")
    start: date
    end: date = Field(description="Exclusive: the first day of the next month")


class Engagement(BaseModel):
    """Positive community activity only: enforcement and patrol are never counted here."""

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
    key: str = Field(description="The unit, officer id or contact type ('' = no unit given)")
    unit: str | None = None
    contacts: int
    hours: float
    residents: int


class Concern(BaseModel):
    topic: str
    count: int = Field(description="Concerns on this topic in the month")
    previous_count: int = Field(description="The month before")
    trend: Trend
    share: float = Field(description="Of all the month's concerns with a topic, 0..1")
    quote: str | None = Field(description="A resident's own words (redacted), the most typical of the topic")


class SentimentMonth(BaseModel):
    month: str
    notes: int
    average: float | None = Field(description="Hosts' overall sentiment, 1 (very negative) .. 5 (very positive)")
    positive: int = Field(description="Notes the model read as positive")
    neutral: int
    negative: int


class Sentiment(BaseModel):
    average: float | None
    previous_average: float | None
    positive_share: float | None = Field(description="Of the month's analysed notes, 0..1")
    trend: list[SentimentMonth] = Field(description="The last six months, oldest first")


class Projects(BaseModel):
    planned: int = Field(description="Open micro-projects not yet due (proposed, planned, in progress, blocked)")
    in_progress: int = Field(description="Open projects whose card is in 'in progress'")
    blocked: int = Field(description="Open projects whose card is in 'blocked'")
    overdue: int = Field(description="Open micro-projects past their due date (not counted in planned)")
    done: int = Field(description="Completed (ever, up to the end of the month)")
    done_in_month: int
    by_remedy_kind: dict[str, int] = Field(description="Projects per DICE remedy kind (enforcement kept apart)")


class Win(BaseModel):
    update_id: UUID
    title: str
    body: str
    neighborhood: str | None
    published_at: datetime
    project_id: UUID | None


class CrimeCategory(BaseModel):
    category: str
    nibrs_code: str | None
    count: int
    previous_month: int
    last_year: int


class CrimeMonth(BaseModel):
    month: str
    count: int


class Crime(BaseModel):
    total: int
    previous_month: int
    last_year: int = Field(description="The same month a year before")
    change_vs_previous_month: float | None = Field(
        description="Relative change, e.g. -0.12 = 12 % fewer; null when the base is 0"
    )
    change_vs_last_year: float | None
    by_category: list[CrimeCategory]
    trend: list[CrimeMonth] = Field(description="The last twelve months, oldest first")


class Insight(BaseModel):
    period_start: date
    period_end: date
    top_topics: list[str]
    summary: str
    model_version: str


class DistrictPage(BaseModel):
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
    district: DistrictRef
    engagement: Engagement
    top_concern: Concern | None = Field(description="The topic that dominates the district this month")
    top_concerns: list[Concern] = Field(description="At most 3")
    sentiment_average: float | None
    projects: Projects
    wins_count: int
    crime: Crime


class CityPage(BaseModel):
    city: str
    period: Period
    districts: list[DistrictSummary]
    totals: Engagement
    crime_total: int
    crime_previous_month: int
    crime_last_year: int
