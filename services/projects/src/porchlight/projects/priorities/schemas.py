"""Read shapes of priorities."""

import uuid

from pydantic import BaseModel, ConfigDict


class PriorityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    district: str
    quarter: str
