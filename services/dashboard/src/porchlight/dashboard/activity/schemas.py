"""Read shapes of district activity."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DistrictActivityOut(BaseModel):
    """One district's count of notes received and the time of the newest."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"district": "B2", "notes": 42, "last_note_at": "2026-12-04T18:30:00Z"}]},
    )

    district: str
    notes: int
    last_note_at: datetime | None


class ActivitySummary(BaseModel):
    """Notes received in all, and per district."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total_notes": 42,
                    "districts": [{"district": "B2", "notes": 42, "last_note_at": "2026-12-04T18:30:00Z"}],
                }
            ]
        }
    )

    total_notes: int
    districts: list[DistrictActivityOut]
