"""The note form as the API takes and returns it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

DistrictCode = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district: str = DistrictCode
    neighborhood: str | None = Field(default=None, max_length=120)
    concerns: list[str] = Field(default_factory=list, max_length=5)
    sentiment: int | None = Field(default=None, ge=1, le=5, description="Overall sentiment, 1 (very negative) to 5")
    attendees: int | None = Field(default=None, ge=0, le=500)
    text: str = Field(default="", max_length=20_000)


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    district: str
    neighborhood: str | None
    host_id: str
    concerns: list[str]
    sentiment: int | None
    attendees: int | None
    submitted_at: datetime
