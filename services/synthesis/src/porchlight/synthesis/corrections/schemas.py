"""Shapes of a supervisor's topic correction."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


class TopicCorrection(BaseModel):
    """The topic a supervisor gives a concern statement (a topic of the current taxonomy)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"topic": "street_lighting"}]})

    topic: str = Field(min_length=1, max_length=63)


class CorrectionOut(BaseModel):
    """The corrected concern, the topic it had, and the model version that learned the correction."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "concern_id": 812,
                    "note_id": "0b5e4a8e-3d1c-4f57-9a51-2f7d0c9e6b11",
                    "topic": "street_lighting",
                    "previous_topic": "unassigned",
                    "model_version": "4/5f0c2a9e41d7/minilm-l6-v2@53aa51172d14",
                    "model_version_number": 4,
                }
            ]
        }
    )

    concern_id: int
    note_id: uuid.UUID
    topic: str
    previous_topic: str
    model_version: str
    model_version_number: int
