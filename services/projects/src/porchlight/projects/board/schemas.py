"""Shapes of the board: a column per status, a card per project."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonDict

from porchlight.projects.work.schemas import Card

_COLUMN: JsonDict = {"status": "planned", "title": "Planned", "count": 0, "cards": []}


class Column(BaseModel):
    """One status of the board, its title, and its cards (earliest due date first)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_COLUMN]})

    status: str
    title: str
    count: int
    cards: list[Card]


class Board(BaseModel):
    """The shared board: its filters, when it was built, and a column per status."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filters": {"priority": None, "district": "D4", "department": None},
                    "generated_at": "2027-01-12T09:30:00+00:00",
                    "columns": [_COLUMN],
                }
            ]
        }
    )

    filters: dict[str, str | None]
    generated_at: str
    columns: list[Column]
