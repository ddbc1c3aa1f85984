"""Shapes of wins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from porchlight.projects.inputs import Input


class WinPatch(Input):
    """A supervisor's edit of the draft before approving it."""

    title: str | None = Field(default=None, min_length=3, max_length=200)
    body: str | None = Field(default=None, min_length=3, max_length=2000)


class WinOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    priority_id: uuid.UUID
    district: str
    neighborhood: str | None
    place: str | None
    title: str
    body: str
    topics: list[str]
    concerns: list[dict[str, Any]]
    status: str
    drafted_at: datetime
    approved_by: str | None
    published_at: datetime | None
