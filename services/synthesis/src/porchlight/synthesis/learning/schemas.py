"""Shapes of the taxonomy, corrections and model versions."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field


class TaxonomyOut(BaseModel):
    version: int
    fingerprint: str
    model_version: str = Field(description="The model version that labels new notes")
    city: str
    topics: list[dict[str, Any]]


class TaxonomyIn(BaseModel):
    """The taxonomy document (the YAML file's shape); the server numbers versions."""

    city: str = ""
    topics: list[dict[str, Any]]
    version: int | None = Field(default=None, description="Ignored: the server assigns the next version")


class TaxonomyVersionOut(BaseModel):
    version: int
    fingerprint: str
    reason: str
    created_by: str
    topics: int


class TopicCorrection(BaseModel):
    topic: str = Field(min_length=1, max_length=63)


class CorrectionOut(BaseModel):
    concern_id: int
    note_id: uuid.UUID
    topic: str
    previous_topic: str
    model_version: str
    model_version_number: int


class ModelOut(BaseModel):
    version: int
    model_version: str
    taxonomy_version: int
    corrections: int
    reason: str
