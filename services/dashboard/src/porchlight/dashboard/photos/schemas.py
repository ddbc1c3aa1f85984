"""Shapes of photos (the bytes themselves are served at their own URLs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.kit.inputs import SingleLine

PhotoStatus = Literal["pending", "approved", "rejected"]

_PHOTO_EX: JsonDict = {
    "id": "3c9d1e7a-5b2f-4a6c-8e1d-7f0a2b4c6d80",
    "project_id": "0b7e4d8c-5f1a-4c2e-8d3b-2a9f6c1e7d40",
    "task_id": None,
    "district": "D4",
    "alt_text": "A crew member on a lift replacing a streetlight on Tremont St",
    "alt_text_es": "Un trabajador en una grúa cambia una farola en Tremont St",
    "width": 1600,
    "height": 1200,
    "status": "pending",
    "uploaded_by": "crew-lead-ortiz",
    "uploaded_at": "2027-01-15T16:00:00Z",
    "reviewed_by": None,
    "reviewed_at": None,
    "reject_reason": None,
    "url": "/v1/photos/3c9d1e7a-5b2f-4a6c-8e1d-7f0a2b4c6d80/image.jpg",
    "thumb_url": "/v1/photos/3c9d1e7a-5b2f-4a6c-8e1d-7f0a2b4c6d80/thumb.jpg",
}


class PhotoOut(BaseModel):
    """A photo of the work: its description, its review, where its (cleaned) image is."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PHOTO_EX]})

    id: uuid.UUID
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    district: str
    alt_text: str
    alt_text_es: str | None
    width: int
    height: int
    status: PhotoStatus
    uploaded_by: str
    uploaded_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    reject_reason: str | None
    url: str
    thumb_url: str


class PhotoReview(BaseModel):
    """A supervisor's decision on a photo: approve it for the public pages, or refuse it saying why."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"approve": False, "reason": "A resident's face is visible."}]}
    )

    approve: bool = Field(strict=True)
    reason: SingleLine | None = Field(default=None, min_length=3, max_length=300)
