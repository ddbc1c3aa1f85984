"""Shapes of emerging clusters and of promoting one to a topic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from porchlight.synthesis.insights.schemas import EmergingCluster, PeriodOut


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


class PromoteIn(BaseModel):
    """A cluster to make a topic: the new topic's key, label and description, and the cluster's concerns."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "scooter_parking",
                    "label": "Scooter parking",
                    "description": "Rental scooters left on sidewalks and ramps.",
                    "concern_ids": [901, 902, 915],
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=63, description="The new topic's key, lower_snake_case")
    label: str = Field(default="", max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    concern_ids: list[int] = Field(min_length=1, max_length=500, description="The cluster's concern_ids")


class PromoteOut(BaseModel):
    """The new topic, the taxonomy and model versions that have it, and the concerns relabelled to it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "topic": "scooter_parking",
                    "taxonomy_version": 3,
                    "model_version": "5/0a1b2c3d4e5f/minilm-l6-v2@53aa51172d14",
                    "relabelled": [901, 902, 915],
                }
            ]
        }
    )

    topic: str
    taxonomy_version: int
    model_version: str
    relabelled: list[int]
