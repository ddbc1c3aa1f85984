"""Shapes of wins."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from porchlight.kit.inputs import NotNull, SingleLine
from porchlight.kit.plain_language import Language, Reading, check
from porchlight.projects.inputs.fields import Input

WinStatus = Literal["draft", "returned", "published"]


class WinPatch(Input):
    """An edit of a win not yet published: a supervisor's of a draft, or its author's once sent back."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "The streetlights on Main Street are fixed."}]})

    # Left out, each stays as it is; a win cannot lose its title or its words.
    title: Annotated[SingleLine | None, NotNull] = Field(default=None, min_length=3, max_length=200)
    body: Annotated[str | None, NotNull] = Field(default=None, min_length=3, max_length=2000)
    #: The Spanish version (drafted with the English one).
    title_es: Annotated[SingleLine | None, NotNull] = Field(default=None, min_length=3, max_length=200)
    body_es: Annotated[str | None, NotNull] = Field(default=None, min_length=3, max_length=2000)


class WinApproval(Input):
    """A supervisor's approval; a win that reads above grade 10 needs the reason it must."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "It quotes the court order word for word, as the judge asked."}]}
    )

    reason: str | None = Field(default=None, max_length=1000)

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str | None) -> str | None:
        if value is not None and len(value.strip()) < 10:
            raise ValueError("say in a sentence why it cannot be plainer")
        return value.strip() if value is not None else None


class WinReturn(Input):
    """Why a supervisor sends a draft back to its author (what to change before it can go out)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Say which blocks of Main Street, and thank the crew."}]}
    )

    reason: str = Field(min_length=3, max_length=500)

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if len(value.strip()) < 3:
            raise ValueError("say what the author should change")
        return value.strip()


class WinOut(BaseModel):
    """A win: a plain-language line about a finished project, a draft until a supervisor approves it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "8a3e5c1f-2b7d-4f9a-9c6e-1d4b7a2f5e80",
                    "project_id": "0b7e4d8c-5f1a-4c2e-8d3b-2a9f6c1e7d40",
                    "priority_id": "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10",
                    "district": "D4",
                    "neighborhood": "south-end",
                    "place": "Main St between 3rd and 5th",
                    "title": "The streetlights on Main Street between 3rd and 5th are fixed.",
                    "body": "You told us about street lighting. Public Works did the work. It was done on January 15.",
                    "title_es": "Las luces de Main Street entre la 3 y la 5 funcionan.",
                    "body_es": "Nos hablaron de street lighting. Public Works hizo el trabajo. Quedó listo el 15 "
                    "de enero.",
                    "topics": ["violence", "street_lighting"],
                    "concerns": [{"topic": "street_lighting", "district": "D4", "neighborhood": "south-end"}],
                    "heard_since": "2026-10-01",
                    "quotes": [{"note_id": "5d0c2a8e-2f3b-4c59-9e0a-7d1b2c3d4e5f", "position": 0}],
                    "status": "draft",
                    "drafted_at": "2027-01-15T17:00:00Z",
                    "author": "crew-lead-ortiz",
                    "department": "public-works",
                    "return_reason": None,
                    "returned_by": None,
                    "returned_at": None,
                    "approved_by": None,
                    "published_at": None,
                }
            ]
        },
    )

    id: uuid.UUID
    project_id: uuid.UUID
    priority_id: uuid.UUID
    district: str
    neighborhood: str | None
    place: str | None
    title: str
    body: str
    title_es: str | None = None
    body_es: str | None = None
    topics: list[str]
    #: What it answers: the priority's concerns in the win's place, the first day their notes
    #: count and the residents' words quoted (``{note_id, position}``; the dashboard's
    #: ``/v1/chain/updates/{id}`` lists the notes and reads the words).
    concerns: list[dict[str, Any]]
    heard_since: date | None = None
    quotes: list[dict[str, Any]] = Field(default_factory=list)
    status: WinStatus
    drafted_at: datetime
    #: The project's owner and department: a win sent back goes to them.
    author: str | None = None
    department: str | None = None
    #: Why it was last sent back, by whom and when (None if it never was).
    return_reason: str | None = None
    returned_by: str | None = None
    returned_at: datetime | None = None
    approved_by: str | None
    published_at: datetime | None
    #: Set at approval: the reading grade of its hardest version, and why it may read above 10.
    reading_grade: float | None = None
    plain_language_reason: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reading(self) -> dict[Language, Reading]:
        """How plain each version reads now (title and words together), with every flag."""
        versions: dict[Language, tuple[str | None, str | None]] = {
            "en": (self.title, self.body),
            "es": (self.title_es, self.body_es),
        }
        return {lang: check(f"{t}\n\n{b}", lang) for lang, (t, b) in versions.items() if t and b}
