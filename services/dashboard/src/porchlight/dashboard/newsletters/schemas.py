"""Shapes of the newsletter preview: a draft as residents would get it, before anyone approves it."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.events.catalog import ConcernRef, ConcernSelection, NewsletterEdition
from porchlight.kit.inputs import Day, FreeText, SingleLine

_TEXT: JsonDict = {"title": "The streetlights on Tremont St are fixed.", "body": "Public Works replaced 9 lamps."}
_PREVIEW_IN: JsonDict = _TEXT | {
    "district": "D4",
    "neighborhood": "south-end",
    "kind": "win",
    "place": "Tremont St",
    "translations": {
        "es": {"title": "Las luces de Tremont St funcionan.", "body": "Obras Públicas cambió 9 lámparas."}
    },
    "concerns": [{"topic": "street_lighting", "district": "D4", "neighborhood": "south-end"}],
    "heard_since": "2026-10-01",
}


class DraftText(BaseModel):
    """A title and words in one language."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_TEXT]})

    title: SingleLine = Field(min_length=1, max_length=200)
    body: FreeText = Field(min_length=1, max_length=4000)


class PreviewIn(DraftText):
    """A draft win or bulletin as the projects service holds it (``GET /v1/wins/{id}``: its place,
    work, picked concerns and quotes), to render as its subscribers would get it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PREVIEW_IN]})

    district: str = Field(min_length=1, max_length=60)
    neighborhood: str | None = Field(None, max_length=100)
    kind: Literal["win", "bulletin"] = "win"
    place: str | None = Field(None, max_length=300)
    project_id: uuid.UUID | None = None
    translations: dict[Literal["es"], DraftText] = Field(default_factory=dict)
    topics: list[str] = Field(default_factory=list, max_length=30)
    concerns: list[ConcernSelection] = Field(default_factory=list, max_length=100)
    heard_since: Day | None = None
    quotes: list[ConcernRef] = Field(default_factory=list, max_length=5)


class PreviewOut(BaseModel):
    """Each language's edition exactly as it would be mailed (the unsubscribe link is a placeholder
    here: intake puts each recipient's own there), and the neighborhoods whose subscribers get it
    (intake's ``GET /v1/subscriptions/counts`` says how many, per language)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "neighborhoods": ["south-end"],
                    "editions": {
                        "en": {"subject": "South End: The streetlights ...", "html": "<html>...", "text": "..."}
                    },
                }
            ]
        }
    )

    neighborhoods: list[str]
    editions: dict[str, NewsletterEdition]
