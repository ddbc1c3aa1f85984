"""Read shapes of received notes."""

from pydantic import BaseModel, ConfigDict


class NoteStats(BaseModel):
    """How many notes synthesis received, in all and per district (analyzed or not)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"total": 42, "by_district": {"D1": 30, "D2": 12}}]})

    total: int
    by_district: dict[str, int]
