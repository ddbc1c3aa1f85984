"""Read shapes of insights. Every number is counted in SQL (repository.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _example(example: dict[str, Any]) -> ConfigDict:
    """The schema's example, shown in the OpenAPI document."""
    return ConfigDict(json_schema_extra={"examples": [example]})


_NOTE = "0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11"
_PERIOD = {"start": "2026-11-01", "end": "2026-11-30", "days": 30}
_PLACE = {"district": "D1", "neighborhood": None}
_QUOTE = {
    "note_id": _NOTE,
    "concern_id": 812,
    "position": 0,
    "text": "The streetlight on Elm has been out for weeks.",
    "start": 0,
    "end": 46,
}
_SENTIMENTS = {"negative": 4, "neutral": 1, "positive": 0}
_HOOD = {"neighborhood": "Duckpond", "notes": 3}
_TOPIC = {
    "topic": "street_lighting",
    "label": "Street lighting",
    "rank": 1,
    "notes": 5,
    "mentions": 6,
    "previous_notes": 1,
    "change": 4,
    "change_pct": 400,
    "sentiment": _SENTIMENTS,
    "neighborhoods": [_HOOD],
    "quotes": [_QUOTE],
    "estimate": {
        "count": 5,
        "low": 3,
        "high": 7,
        "share": 0.12,
        "share_low": 0.07,
        "share_high": 0.17,
        "basis": "evaluation",
        "labels": 2252,
    },
}
_MIX = {"notes": {"negative": 5, "neutral": 2, "positive": 1}, "host_rating_mean": 3.4, "host_rated_notes": 5}
_CLUSTER = {
    "cluster_id": "9c1d2e3f4a5b",
    "words": ["scooters", "sidewalk", "parked"],
    "concerns": 4,
    "notes": 3,
    "concern_ids": [901, 902, 915, 930],
    "note_ids": [_NOTE],
    "quotes": [_QUOTE],
}
_FIGURE = {"path": "/topics/0/notes", "value": 5}
_SENTENCE = {
    "text": "Street lighting was raised in 5 notes, up from 1 in the previous period.",
    "note_ids": [_NOTE],
    "figures": [_FIGURE, {"path": "/topics/0/previous_notes", "value": 1}],
}
_DISTRICT = {
    "district": "D1",
    "notes": 8,
    "top_topic": "street_lighting",
    "top_topic_notes": 5,
    "topics": {"street_lighting": 5},
}
_DOMINANCE = {
    "topic": "street_lighting",
    "notes": 7,
    "dominant_district": "D1",
    "dominant_notes": 5,
    "districts": {"D1": 5, "D2": 2},
}
_CONCERN = {
    "concern_id": 812,
    "text": "The streetlight on Elm has been out for weeks.",
    "start": 0,
    "end": 46,
    "topic": "street_lighting",
    "topic_score": 0.87,
    "topic_source": "model",
    "sentiment": "negative",
    "sentiment_score": -0.62,
    "model_version": "1/5f0c2a9e41d7/minilm-l6-v2@53aa51172d14",
}
_NOTE_OUT = {
    "note_id": _NOTE,
    "district": "D1",
    "neighborhood": "Duckpond",
    "occurred_at": "2026-11-20T18:30:00Z",
    "document": "The streetlight on Elm has been out for weeks.",
    "sentiment": "negative",
    "host_rating": 2,
    "model_version": "1/5f0c2a9e41d7/minilm-l6-v2@53aa51172d14",
    "concerns": [_CONCERN],
}


class PeriodOut(BaseModel):
    """Whole UTC days, both ends included."""

    model_config = _example(_PERIOD)

    start: date
    end: date
    days: int


class PlaceOut(BaseModel):
    """The place an insight is about: a district, a neighborhood, both, or neither (the city)."""

    model_config = _example(_PLACE)

    district: str | None
    neighborhood: str | None


class QuoteOut(BaseModel):
    """A resident's own words: ``text`` is exactly ``document[start:end]`` of note ``note_id``."""

    model_config = _example(_QUOTE)

    note_id: uuid.UUID
    concern_id: int
    text: str
    start: int
    end: int
    occurred_at: datetime | None = Field(None, description="When the conversation quoted took place")
    district: str | None = Field(None, description="The note's district")
    neighborhood: str | None = Field(None, description="The note's neighborhood (never a finer place)")
    position: int | None = Field(
        None,
        description="Its place among the note's concerns (note.analyzed's): a priority quotes it by note_id "
        "and position",
    )


class SentimentCounts(BaseModel):
    """How many read as negative, neutral and positive."""

    model_config = _example(_SENTIMENTS)

    negative: int = 0
    neutral: int = 0
    positive: int = 0


class NeighborhoodCount(BaseModel):
    """Notes of a topic from one neighborhood."""

    model_config = _example(_HOOD)

    neighborhood: str
    notes: int


class TopicEstimateOut(BaseModel):
    """A topic's count allowing for the model's mistakes, with a 90 % interval.

    Estimated from how sure the model was of each of the place's concerns, its probabilities
    calibrated on labeled concerns (``basis``: the city's ``corrections``, or an ``evaluation`` on
    labeled data shipped with the model), with the place's own mix of topics fitted to them
    (porchlight.kit.quantify). Counts are notes, like ``notes`` (the topic's estimated concern
    statements, scaled by its notes per statement); shares are of the place's statements."""

    model_config = _example(
        {"count": 40, "low": 34, "high": 46, "share": 0.21, "share_low": 0.18, "share_high": 0.24,
         "basis": "corrections", "labels": 120}
    )  # fmt: skip

    count: int = Field(description="Estimated notes that truly raised the topic")
    low: int = Field(description="Lower end of the 90 % interval of count")
    high: int = Field(description="Upper end of the 90 % interval of count")
    share: float = Field(description="Estimated share of the place's concern statements about the topic (0-1)")
    share_low: float
    share_high: float
    basis: str = Field(description="Where the model's calibration was measured: corrections or evaluation")
    labels: int = Field(description="Labeled concerns the calibration was measured on")


class TopicInsight(BaseModel):
    """One topic of the place and period: its rank, counts, trend, sentiment, where and residents' words."""

    model_config = _example(_TOPIC)

    topic: str
    label: str
    rank: int
    notes: int = Field(description="Notes that raised the topic in the period")
    mentions: int = Field(description="Concern statements about the topic in the period")
    previous_notes: int = Field(description="Notes that raised it in the period compared (``previous_period``)")
    change: int = Field(description="notes - previous_notes")
    change_pct: int | None = Field(description="Change in percent of previous_notes (none when it was 0)")
    sentiment: SentimentCounts
    neighborhoods: list[NeighborhoodCount]
    quotes: list[QuoteOut]
    estimate: TopicEstimateOut | None = Field(
        default=None, description="notes allowing for the model's mistakes, with a 90 % interval"
    )


class SentimentMixOut(BaseModel):
    """Notes by their sentiment, and the hosts' own ratings of the same notes."""

    model_config = _example(_MIX)

    notes: SentimentCounts
    host_rating_mean: float | None = Field(description="Mean of the hosts' own 1-5 ratings")
    host_rated_notes: int


class EmergingCluster(BaseModel):
    """Concerns no topic fits that belong together: a candidate topic, named by its distinctive words."""

    model_config = _example(_CLUSTER)

    cluster_id: str
    words: list[str]
    concerns: int
    notes: int
    concern_ids: list[int]
    note_ids: list[uuid.UUID]
    quotes: list[QuoteOut]


class Figure(BaseModel):
    """A number quoted in a sentence: ``value`` is the response's value at JSON pointer ``path``."""

    model_config = _example(_FIGURE)

    path: str
    value: int | float


class SummarySentence(BaseModel):
    """A sentence of the summary: the figures it quotes and the notes they count."""

    model_config = _example(_SENTENCE)

    text: str
    note_ids: list[uuid.UUID] = Field(description="The notes the sentence's figures count")
    figures: list[Figure]


class Insight(BaseModel):
    """What a place is saying in a period: topics ranked with counts and trend, sentiment, residents'
    own words, emerging clusters and a summary phrased from these figures only."""

    model_config = _example(
        {
            "place": _PLACE,
            "period": _PERIOD,
            "previous_period": {"start": "2026-10-02", "end": "2026-10-31", "days": 30},
            "notes": 8,
            "concerns": 11,
            "previous_notes": 3,
            "pending": 0,
            "unassigned": 2,
            "topics": [_TOPIC],
            "sentiment": _MIX,
            "emerging": [_CLUSTER],
            "summary": [_SENTENCE],
            "model_versions": ["1/5f0c2a9e41d7/minilm-l6-v2@53aa51172d14"],
            "generated_at": "2026-11-30T12:00:00Z",
        }
    )

    place: PlaceOut
    period: PeriodOut
    previous_period: PeriodOut = Field(
        description="What the figures are set against: the month before for a whole month, the same days of "
        "it for the first days of a month, else the period of equal length before"
    )
    against: str = Field(
        "the previous period of equal length",
        description="``previous_period`` in words, as the summary says it ('the same days last month')",
    )
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
    words_withheld: bool = Field(
        False,
        description="Residents' words (quotes) are left out: the caller reads this place's figures, not its "
        "words (they read those of their own district only)",
    )


class DistrictTop(BaseModel):
    """A district's leading topic in the period (by notes) and its notes per topic."""

    model_config = _example(_DISTRICT)

    district: str
    notes: int
    top_topic: str | None
    top_topic_notes: int
    topics: dict[str, int]


class TopicDominance(BaseModel):
    """Where a topic is raised most: its leading district and its notes per district."""

    model_config = _example(_DOMINANCE)

    topic: str
    notes: int
    dominant_district: str
    dominant_notes: int
    districts: dict[str, int]


class CityInsight(BaseModel):
    """Which topic dominates where: each district's leading topic and each topic's leading district."""

    model_config = _example({"period": _PERIOD, "districts": [_DISTRICT], "topics": [_DOMINANCE]})

    period: PeriodOut
    districts: list[DistrictTop]
    topics: list[TopicDominance]


class ConcernOut(BaseModel):
    """A concern statement of a note as the model (or a supervisor) labeled it; ``text`` is
    ``document[start:end]`` of its note."""

    model_config = _example(_CONCERN)

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
    """A note behind a figure: its redacted text and the statements the figure counts."""

    model_config = _example(_NOTE_OUT)

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
    """A page of the notes behind a figure, newest first; the next page is at ``next_cursor``
    (also sent as ``Link: <...>; rel="next"``)."""

    model_config = _example({"total": 5, "notes": [_NOTE_OUT], "next_cursor": None})

    total: int = Field(description="Notes behind the figure, over all pages")
    notes: list[NoteOut]
    next_cursor: str | None = Field(default=None, description="Cursor of the next page; none on the last")
