"""Shapes of the plain-language check."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from porchlight.kit.plain_language import Language
from porchlight.projects.inputs.fields import Input


class PlainTextIn(Input):
    """A public text to score: a title and its words together (a title alone has no grade)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "Proactive enforcement reduced Part I crimes in the CAD data.", "language": "en"}]
        }
    )

    text: str = Field(max_length=10_000)
    language: Language = "en"
