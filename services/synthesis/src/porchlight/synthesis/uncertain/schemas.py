"""Shapes of "help the model": the concerns the model is least sure of, and what it knows now."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from porchlight.synthesis.insights.schemas import PeriodOut


class TopicChance(BaseModel):
    """A topic the model weighs for a concern, and how probable it finds it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"topic": "street_lighting", "label": "Street lighting", "probability": 0.41}]}
    )

    topic: str
    label: str
    probability: float = Field(ge=0, le=1)


class UncertainConcern(BaseModel):
    """A concern the model is unsure of: the resident's (redacted) words and the topics it hesitates between."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "concern_id": 1812,
                    "note_id": "6f1c2a0e-8d4b-4c7e-9a51-2b3c4d5e6f70",
                    "text": "the corner by the school is so dark that kids walk in the road",
                    "district": "D4",
                    "neighborhood": "south-end",
                    "occurred_at": "2026-11-20T18:30:00Z",
                    "topic": "street_lighting",
                    "topic_label": "Street lighting",
                    "suggested_topic": "street_lighting",
                    "suggested_label": "Street lighting",
                    "margin": 0.04,
                    "unsure": 0.93,
                    "alternatives": [
                        {"topic": "street_lighting", "label": "Street lighting", "probability": 0.41},
                        {"topic": "roads_sidewalks", "label": "Roads and sidewalks", "probability": 0.37},
                    ],
                }
            ]
        }
    )

    concern_id: int
    note_id: uuid.UUID
    text: str = Field(description="The concern statement, redacted at intake (a resident's words)")
    district: str
    neighborhood: str | None
    occurred_at: datetime
    topic: str = Field(description="The topic the concern is counted under now ('unassigned': none yet)")
    topic_label: str
    suggested_topic: str = Field(description="The current model's best topic: what the screen asks about")
    suggested_label: str
    margin: float = Field(description="Probability of the best topic minus the second's: small is unsure")
    unsure: float = Field(
        description="How unsure, by the response's ``rule`` (higher: less sure). The list takes turns among "
        "the suggested topics ('spread' rules): the least sure of each topic, then the next of each"
    )
    alternatives: list[TopicChance] = Field(description="The most probable topics, best first")


class UncertainOut(BaseModel):
    """The concerns of a place and period the model is least sure of, least sure first (none a
    supervisor has labeled), and the model version that scored them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "district": "D2",
                    "period": {"start": "2026-01-01", "end": "2026-01-31", "days": 31},
                    "model_version": "4/5f0c2a9e41d7/minilm-l6-v2@53aa51172d14",
                    "model_version_number": 4,
                    "labels_learned": 3,
                    "rule": "dense-spread",
                    "considered": 212,
                    "concerns": [
                        {
                            "concern_id": 812,
                            "note_id": "0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11",
                            "text": "The path behind the school is dark and the bushes are overgrown",
                            "district": "D2",
                            "neighborhood": "roxbury",
                            "occurred_at": "2026-01-14T18:30:00Z",
                            "topic": "street_lighting",
                            "topic_label": "Street lighting",
                            "suggested_topic": "street_lighting",
                            "suggested_label": "Street lighting",
                            "margin": 0.03,
                            "unsure": 0.59,
                            "alternatives": [
                                {"topic": "street_lighting", "label": "Street lighting", "probability": 0.41},
                                {"topic": "trees_vegetation", "label": "Trees and vegetation", "probability": 0.38},
                                {"topic": "parks", "label": "Parks", "probability": 0.09},
                            ],
                        }
                    ],
                }
            ]
        }
    )

    district: str | None = Field(description="The district listed; null: the whole city")
    period: PeriodOut
    model_version: str
    model_version_number: int
    labels_learned: int = Field(description="Supervisors' corrections the model version has learned")
    rule: str = Field(
        description="How unsure is measured (model/uncertainty.py): 'dense-spread' is one minus the margin, "
        "weighted by how typical the concern is among those listed, taking turns among the suggested topics"
    )
    model_loading: bool = Field(
        False, description="The model is still loading (after a start): nothing is listed yet; ask again shortly"
    )
    considered: int = Field(description="Concerns scored (the newest unlabeled ones of the place and period)")
    concerns: list[UncertainConcern]
