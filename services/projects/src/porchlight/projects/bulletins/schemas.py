"""Shapes of bulletins."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import JsonDict

from porchlight.kit.inputs import FreeText, SingleLine
from porchlight.projects.inputs.fields import Input

_IN: JsonDict = {
    "district": "D4",
    "neighborhood": "south-end",
    "title": "Meet your officers at the library on Thursday",
    "body": "Come to the Tremont library on Thursday at 6 pm. Bring your questions about the street lights.",
    "title_es": "Conozca a sus agentes en la biblioteca el jueves",
    "body_es": "Venga a la biblioteca de Tremont el jueves a las 6 pm. Traiga sus preguntas sobre las luces.",
}


class BulletinIn(Input):
    """A bulletin for a district or one of its neighborhoods, in English and, when given, Spanish.

    Above reading grade 10 it goes out only with ``reason``: why it cannot be plainer."""

    model_config = ConfigDict(json_schema_extra={"examples": [_IN]})

    district: str = Field(min_length=1, max_length=60)
    neighborhood: str | None = Field(default=None, min_length=1, max_length=100)
    title: SingleLine = Field(min_length=3, max_length=200)
    body: FreeText = Field(min_length=3, max_length=2000)
    title_es: SingleLine | None = Field(default=None, min_length=3, max_length=200)
    body_es: FreeText | None = Field(default=None, min_length=3, max_length=2000)
    reason: str | None = Field(default=None, min_length=10, max_length=1000)

    @model_validator(mode="after")
    def _spanish_whole(self) -> BulletinIn:
        if (self.title_es is None) != (self.body_es is None):
            raise ValueError("title_es and body_es: give both, or neither")
        return self


class BulletinOut(BaseModel):
    """A published bulletin (``update.published`` of kind ``bulletin``, id ``id``)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                _IN
                | {
                    "id": "3b9c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                    "reading_grade": 5.2,
                    "plain_language_reason": None,
                    "author": "sgt-rivera",
                    "published_at": "2027-01-18T15:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    district: str
    neighborhood: str | None
    title: str
    body: str
    title_es: str | None
    body_es: str | None
    reading_grade: float
    plain_language_reason: str | None
    author: str
    published_at: datetime
