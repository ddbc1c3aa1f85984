"""Shapes of priorities: a quarterly goal for a place, the concerns behind it, its outcome measure."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.json_schema import JsonDict, SkipJsonSchema

from porchlight.kit.inputs import NotNull, SingleLine
from porchlight.projects.inputs.fields import EARLIEST, LATEST, Day, Input

_CONCERN: JsonDict = {"topic": "street_lighting", "neighborhood": "south-end"}
_QUOTE: JsonDict = {"note_id": "5d0c2a8e-2f3b-4c59-9e0a-7d1b2c3d4e5f", "position": 0}
#: Typed figures and words were taken before issue 18; they are refused now, saying where they come from.
_NOT_TYPED = {
    "mentions": "is counted from the residents' notes of the topic and place: pick them, do not type a figure",
    "quote": "is picked from the residents' notes (quotes: note_id and position, as synthesis lists them), not typed",
}
_PRIORITY_IN: JsonDict = {
    "title": "Safer streets in D4",
    "district": "D4",
    "neighborhood": "south-end",
    "quarter": "2027-Q1",
    "topics": ["violence"],
    "concerns": [_CONCERN],
    "outcome_measure": "Violent incidents reported per month",
    "outcome_before": 12,
}


class ConcernLink(Input):
    """Residents' concerns that motivated the priority, picked by topic and place ("you said"):
    every note of the topic from the place counts, as synthesis and the pages count them."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CONCERN]})

    topic: str = Field(min_length=1, max_length=100)
    district: str | None = Field(default=None, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    #: Refused when given (a 422 at body.concerns.N.mentions): ignoring them, as unknown fields
    #: are, would let a caller believe their figure was kept. Left out of the schema.
    mentions: SkipJsonSchema[Any] = None
    quote: SkipJsonSchema[Any] = None

    @field_validator("mentions", "quote")
    @classmethod
    def _not_typed(cls, value: Any, info: ValidationInfo) -> None:
        if value is not None:
            raise ValueError(_NOT_TYPED[str(info.field_name)])
        return None


class QuoteRef(Input):
    """A resident's words the priority quotes: the ``position``-th concern of note ``note_id``, as
    synthesis' insight lists it (``quotes``). The words stay with the notes (redacted there; gone
    when the note is erased)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_QUOTE]})

    note_id: uuid.UUID
    position: int = Field(ge=0, le=1000, strict=True)


class PriorityIn(Input):
    """A quarterly priority for a place: a district is required, concerns are linked by topic and place."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PRIORITY_IN]})

    title: SingleLine = Field(min_length=3, max_length=200)
    #: The place: a priority without one is refused (422 naming ``body.district``).
    district: str = Field(min_length=1, max_length=60)
    neighborhood: str | None = Field(default=None, max_length=100)
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$", examples=["2027-Q1"])
    topics: list[str] = Field(default_factory=list, max_length=30)
    concerns: list[ConcernLink] = Field(default_factory=list, max_length=100)
    #: The first day whose notes count; by default the first day of the quarter before ``quarter``
    #: (what residents said in the quarter before the priority was set).
    heard_since: Day | None = None
    quotes: list[QuoteRef] = Field(default_factory=list, max_length=5)
    outcome_measure: str | None = Field(default=None, max_length=300)
    outcome_before: float | None = Field(default=None, strict=True)
    enforcement_justification: str | None = Field(default=None, max_length=1000)

    @field_validator("quotes")
    @classmethod
    def _each_quote_once(cls, quotes: list[QuoteRef]) -> list[QuoteRef]:
        if len({(q.note_id, q.position) for q in quotes}) != len(quotes):
            raise ValueError("a quote is given twice")
        return quotes

    @field_validator("quarter")
    @classmethod
    def _quarter_of_this_century(cls, quarter: str) -> str:
        if not EARLIEST.year <= int(quarter[:4]) <= LATEST.year:
            raise ValueError(f"must be a quarter from {EARLIEST.year} to {LATEST.year}")
        return quarter

    @field_validator("heard_since")
    @classmethod
    def _heard_before_the_quarter_ends(cls, day: date | None, info: ValidationInfo) -> date | None:
        quarter = info.data.get("quarter")
        if day is not None and quarter is not None and day > quarter_bounds(quarter)[1]:
            raise ValueError(f"must be on or before the last day of {quarter}")
        return day


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of "2027-Q1"."""
    year, q = int(quarter[:4]), int(quarter[-1])
    first = date(year, 3 * q - 2, 1)
    last = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def quarter_before(quarter: str) -> date:
    """The first day of the quarter before "2027-Q1": 2026-10-01."""
    first = quarter_bounds(quarter)[0]
    return date(first.year - 1, 10, 1) if first.month == 1 else date(first.year, first.month - 3, 1)


class PriorityPatch(Input):
    """A change of a priority's title, outcome measure, before/after figures or justification."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome_after": 7}]})

    #: May be left out, not emptied (the priority keeps a title).
    title: Annotated[SingleLine | None, NotNull] = Field(default=None, min_length=3, max_length=200)
    outcome_measure: str | None = Field(default=None, max_length=300)
    outcome_before: float | None = Field(default=None, strict=True)
    outcome_after: float | None = Field(default=None, strict=True)
    enforcement_justification: str | None = Field(default=None, max_length=1000)


class PriorityOut(BaseModel):
    """A quarterly priority as stored: its place, topics, linked concerns and outcome measure."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                _PRIORITY_IN
                | {
                    "id": "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10",
                    "concerns": [_CONCERN | {"district": "D4"}],
                    "heard_since": "2026-10-01",
                    "quotes": [_QUOTE],
                    "topics": ["violence", "street_lighting"],
                    "outcome_after": None,
                    "enforcement_justification": None,
                    "created_by": "sgt-rivera",
                    "created_at": "2027-01-04T15:30:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    title: str
    district: str
    neighborhood: str | None = None
    quarter: str
    topics: list[str] = Field(default_factory=list)
    concerns: list[dict[str, Any]] = Field(default_factory=list)
    heard_since: date | None = None
    quotes: list[dict[str, Any]] = Field(default_factory=list)
    outcome_measure: str | None = None
    outcome_before: float | None = None
    outcome_after: float | None = None
    enforcement_justification: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None
