"""Read shapes of received notes."""

from pydantic import BaseModel


class NoteStats(BaseModel):
    total: int
    by_district: dict[str, int]
