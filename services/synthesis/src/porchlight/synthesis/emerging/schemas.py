"""Shapes of emerging clusters, of a promotion's preview and of promoting one to a topic."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from porchlight.kit.errors import human_error
from porchlight.synthesis.insights.schemas import EmergingCluster, PeriodOut, PlaceOut
from porchlight.synthesis.model.taxonomy import NAME_RE, UNASSIGNED


class EmergingOut(BaseModel):
    """Candidate topics of a place and period: clusters of the concerns no topic fits."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period": {"start": "2026-11-01", "end": "2026-11-30", "days": 30},
                    "clusters": [
                        {
                            "cluster_id": "9c1d2e3f4a5b",
                            "words": ["scooters", "sidewalk", "parked"],
                            "concerns": 3,
                            "notes": 3,
                            "concern_ids": [901, 902, 915],
                            "note_ids": ["0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11"],
                            "quotes": [],
                        }
                    ],
                }
            ]
        }
    )

    period: PeriodOut
    clusters: list[EmergingCluster]
    words_withheld: bool = Field(
        False, description="Quotes left out: the caller reads this place's figures, not its residents' words"
    )


#: The rule of a new topic's name, as people will read it (the district page checks the same).
LABEL_MIN, LABEL_MAX = 3, 60
LABEL_MARKS = frozenset(" -'\u2019&,./()")
LABEL_RULE = (
    f"Give the topic a name of {LABEL_MIN} to {LABEL_MAX} characters that starts with a letter, "
    "using letters, digits, spaces and - ' & , . / ( ) only, e.g. “Bowling green fees”."
)
KEY_RULE = "Use lower-case letters, digits and _ only, starting with a letter, e.g. bowling_green_fees."
CLUSTER_RULE = "Choose one of the emerging topics listed for this place and period."


def check_label(value: str) -> str:
    """The name as people will read it, its spaces tidied; a sentence for them when it does not fit."""
    label = " ".join(value.split())
    if not label:
        raise human_error("topic_name_missing", "Give the new topic a name, e.g. “Bowling green fees”.")
    fits = (
        LABEL_MIN <= len(label) <= LABEL_MAX
        and label[0].isalpha()
        and all(ch.isalnum() or ch in LABEL_MARKS for ch in label)
    )
    if not fits:
        raise human_error("topic_name", LABEL_RULE)
    return label


class _Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster_id: str = Field(description="The emerging cluster's id, as listed for this place and period")
    label: str = Field(description="The new topic's name as people read it (the summary and tables use it)")
    name: str | None = Field(
        default=None, description="The topic's key, lower_snake_case; by default made from the label"
    )
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("cluster_id")
    @classmethod
    def _cluster(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{12}", value):
            raise human_error("cluster_id", CLUSTER_RULE)
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        return check_label(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and (not NAME_RE.match(value) or value == UNASSIGNED):
            raise human_error("topic_key", KEY_RULE)
        return value


class PreviewIn(_Proposal):
    """A cluster and the name proposed for it: what promoting it would move (nothing is written)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"cluster_id": "9c1d2e3f4a5b", "label": "Scooter parking"}]},
    )


class PromoteIn(_Proposal):
    """A previewed promotion, confirmed: the preview's ``preview`` token says which one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cluster_id": "9c1d2e3f4a5b",
                    "label": "Scooter parking",
                    "description": "Rental scooters left on sidewalks and ramps.",
                    "preview": "3f9a0c1d2e4b5a69",
                }
            ]
        },
    )

    preview: str = Field(
        min_length=1, max_length=64, description="The token of the preview confirmed (POST /v1/emerging/preview)"
    )


class MovingConcern(BaseModel):
    """A concern a promotion would move: the resident's words and where and when they were said
    (the note's district and neighbourhood, never a finer place; nobody's name)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "concern_id": 4812,
                    "note_id": "0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11",
                    "text": "The bowling green fees went up again and the youth league cannot pay them",
                    "occurred_at": "2026-11-20T18:30:00Z",
                    "district": "B2",
                    "neighborhood": "Roxbury",
                    "from_topic": "unassigned",
                    "from_label": "No topic yet",
                }
            ]
        }
    )

    concern_id: int
    note_id: uuid.UUID
    text: str
    occurred_at: datetime
    district: str
    neighborhood: str | None
    from_topic: str
    from_label: str


class TopicChange(BaseModel):
    """One topic's figures for the place and period, before and after the promotion."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "topic": "lawn_bowling_fees",
                    "label": "Lawn bowling fees",
                    "notes_before": 0,
                    "notes_after": 4,
                    "concerns_before": 0,
                    "concerns_after": 5,
                }
            ]
        }
    )

    topic: str
    label: str
    notes_before: int
    notes_after: int
    concerns_before: int
    concerns_after: int


class PreviewOut(BaseModel):
    """What promoting a cluster would do, for the place and period shown; confirm with ``preview``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cluster_id": "9c1d2e3f4a5b",
                    "topic": "scooter_parking",
                    "label": "Scooter parking",
                    "place": {"district": "D4", "neighborhood": None},
                    "period": {"start": "2026-11-01", "end": "2026-11-30", "days": 30},
                    "concerns": [
                        {
                            "concern_id": 901,
                            "note_id": "0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11",
                            "text": "Scooters are left across the sidewalk ramp",
                            "occurred_at": "2026-11-12T18:30:00Z",
                            "district": "D4",
                            "neighborhood": "Porter",
                            "from_topic": "unassigned",
                            "from_label": "No topic yet",
                        }
                    ],
                    "counts": [
                        {
                            "topic": "scooter_parking",
                            "label": "Scooter parking",
                            "notes_before": 0,
                            "notes_after": 3,
                            "concerns_before": 0,
                            "concerns_after": 3,
                        }
                    ],
                    "preview": "3f9a0c1d2e4b5a69",
                }
            ]
        }
    )

    cluster_id: str
    topic: str
    label: str
    place: PlaceOut
    period: PeriodOut
    concerns: list[MovingConcern]
    counts: list[TopicChange]
    preview: str = Field(description="Send it back to confirm exactly this promotion")


class PromoteOut(BaseModel):
    """The new topic, the taxonomy and model versions that have it, and the concerns relabelled to it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "topic": "scooter_parking",
                    "label": "Scooter parking",
                    "taxonomy_version": 3,
                    "model_version": "5/0a1b2c3d4e5f/minilm-l6-v2@53aa51172d14",
                    "relabelled": [901, 902, 915],
                }
            ]
        }
    )

    topic: str
    label: str
    taxonomy_version: int
    model_version: str
    relabelled: list[int]
