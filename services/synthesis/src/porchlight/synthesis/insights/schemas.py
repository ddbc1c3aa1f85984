"""Read shapes of insights. Every number is counted in SQL (queries.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field


class PeriodOut(BaseModel):
    start: date
    end: date
    days: int


class PlaceOut(BaseModel):
    district: str | None
    neighborhood: str | None


class QuoteOut(BaseModel):
    """A resident's own words: ``text`` is exactly ``document[start:end]`` of note ``note_id``."""

    note_id: uuid.UUID
    concern_id: int
    text: str
    start: int
    end: int


class SentimentCounts(BaseModel):
    negative: int = 0
    neutral: int = 0
    positive: int = 0


class NeighborhoodCount(BaseModel):
    neighborhood: str
    notes: int


class TopicInsight(BaseModel):
    topic: str
    label: str
    rank: int
    notes: int = Field(description="Notes that raised the topic in the period")
    mentions: int = Field(description="Concern statements about the topic in the period")
    previous_notes: int = Field(description="Notes that raised it in the previous period of equal length")
    change: int = Field(description="notes - previous_notes")
    change_pct: int | None = Field(description="Change in percent of previous_notes (none when it was 0)")
    sentiment: SentimentCounts
    neighborhoods: list[NeighborhoodCount]
    quotes: list[QuoteOut]


class SentimentMixOut(BaseModel):
    notes: SentimentCounts
    host_rating_mean: float | None = Field(description="Mean of the hosts' own 1-5 ratings")
    host_rated_notes: int


class EmergingCluster(BaseModel):
    cluster_id: str
    words: list[str]
    concerns: int
    notes: int
    concern_ids: list[int]
    note_ids: list[uuid.UUID]
    quotes: list[QuoteOut]


class Figure(BaseModel):
    """A number quoted in a sentence: ``value`` is the response's value at JSON pointer ``path``."""

    path: str
    value: int | float


class SummarySentence(BaseModel):
    text: str
    note_ids: list[uuid.UUID] = Field(description="The notes the sentence's figures count")
    figures: list[Figure]


class Insight(BaseModel):
    place: PlaceOut
    period: PeriodOut
    previous_period: PeriodOut
    notes: int
    concerns: int
    previous_notes: int
    pending: int = Field(
        0,
        description="Notes of this place and period received but not analyzed yet: no other figure counts them",
    )
    unassigned: int = Field(description="Concern statements no topic fits well enough")
    topics: list[TopicInsight]
    sentiment: SentimentMixOut
    emerging: list[EmergingCluster]
    summary: list[SummarySentence]
    model_versions: list[str]
    generated_at: datetime


class DistrictTop(BaseModel):
    district: str
    notes: int
    top_topic: str | None
    top_topic_notes: int
    topics: dict[str, int]


class TopicDominance(BaseModel):
    topic: str
    notes: int
    dominant_district: str
    dominant_notes: int
    districts: dict[str, int]


class CityInsight(BaseModel):
    period: PeriodOut
    districts: list[DistrictTop]
    topics: list[TopicDominance]


class ConcernOut(BaseModel):
    concern_id: int
    text: str
    start: int
    end: int
    topic: str
    topic_score: float
    topic_source: str
    sentiment: str
    sentiment_score: float
    model_version: str


class NoteOut(BaseModel):
    note_id: uuid.UUID
    district: str
    neighborhood: str | None
    occurred_at: datetime
    document: str = Field(description="The stored redacted note quotes are cut from")
    sentiment: str | None
    host_rating: int | None
    model_version: str | None
    concerns: list[ConcernOut]


class NotesPage(BaseModel):
    total: int
    notes: list[NoteOut]
