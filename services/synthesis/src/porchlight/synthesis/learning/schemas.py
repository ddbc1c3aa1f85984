"""Shapes of the taxonomy, its versions and the model version."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_TOPIC: dict[str, Any] = {
    "name": "street_lighting",
    "label": "Street lighting",
    "description": "Streetlights that are out or flickering, dark streets and paths.",
    "examples": ["the streetlight in front of my house is out"],
}
_MODEL_VERSION = "3/5f0c2a9e41d7/minilm-l6-v2@53aa51172d14"


class TaxonomyOut(BaseModel):
    """The taxonomy new notes are labeled with (its version is also the response's ``ETag``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 2,
                    "fingerprint": "5f0c2a9e41d7",
                    "model_version": _MODEL_VERSION,
                    "city": "Gainesville, FL (demo city)",
                    "topics": [_TOPIC],
                }
            ]
        }
    )

    version: int
    fingerprint: str
    model_version: str = Field(description="The model version that labels new notes")
    city: str
    topics: list[dict[str, Any]]


class TaxonomyIn(BaseModel):
    """The taxonomy document (the YAML file's shape); the server numbers versions."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"city": "Gainesville, FL (demo city)", "topics": [_TOPIC]}]}
    )

    city: str = ""
    topics: list[dict[str, Any]]
    version: int | None = Field(default=None, description="Ignored: the server assigns the next version")


class TaxonomyVersionOut(BaseModel):
    """One version of the taxonomy: who made it, why, and how many topics it has."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"version": 2, "fingerprint": "5f0c2a9e41d7", "reason": "edited", "created_by": "sup-1", "topics": 18}
            ]
        }
    )

    version: int
    fingerprint: str
    reason: str
    created_by: str
    topics: int


class ModelOut(BaseModel):
    """The model version new notes are labeled with, and what made it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 3,
                    "model_version": _MODEL_VERSION,
                    "taxonomy_version": 2,
                    "corrections": 1,
                    "reason": "correction 1",
                }
            ]
        }
    )

    version: int
    model_version: str
    taxonomy_version: int
    corrections: int
    reason: str
