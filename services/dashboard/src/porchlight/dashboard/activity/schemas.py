"""Read shapes of district activity."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DistrictActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    district: str
    notes: int
    last_note_at: datetime | None


class ActivitySummary(BaseModel):
    total_notes: int
    districts: list[DistrictActivityOut]
