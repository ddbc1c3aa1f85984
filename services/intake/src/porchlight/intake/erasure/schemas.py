"""What the erasure routes answer: the erasure record (ids, district, reason, time — no words)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ErasureOut(BaseModel):
    """A note's or contact's erasure: its words are gone, what counts it stays."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "note",
                    "id": "3f0c7f4e-2a55-4a4e-9f1e-6d2a1b7c9e10",
                    "district": "B2",
                    "reason": "request",
                    "erased_by": "sgt-okafor",
                    "erased_at": "2026-12-05T14:03:00Z",
                    "already_erased": False,
                }
            ]
        },
    )

    kind: Literal["note", "contact"]
    id: uuid.UUID = Field(description="The note's or contact's id")
    district: str
    reason: Literal["request", "retention"] = Field(description="On request, or at the end of the retention period")
    erased_by: str = Field(description='Who asked (their subject), or "retention"')
    erased_at: datetime
    already_erased: bool = Field(description="True when it had been erased before: this request changed nothing")
