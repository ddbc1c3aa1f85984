"""The listening gap as the district and city pages read it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from porchlight.dashboard.pages.schemas import PERIOD_EX, Period

SOURCE_EX = (
    "BPDA Research Division, Neighborhood Change Explorer (...): 2020 Census total population by "
    "tract-approximated neighborhood, adjusted for the group-quarters challenge: Roxbury 55,121"
)
REACH_EX = {
    "code": "roxbury",
    "name": "Roxbury",
    "district": "B2",
    "population": 55121,
    "population_year": 2020,
    "population_source": SOURCE_EX,
    "residents_reached": 64,
    "residents_at_meetings": 22,
    "residents_via_contacts": 42,
    "residents_reached_per_1000": 1.2,
}
UNDER_EX = {
    **REACH_EX,
    "to_reach": 38,
    "suggestion": "Next micro-meetings: Roxbury — 1.2 residents reached per 1,000 residents so far (64 of 55,121); "
    "about 38 more residents would bring it to the area's 1.8 per 1,000.",
}
GAP_EX = {
    "district": "B2",
    "period": PERIOD_EX,
    "neighborhoods": [REACH_EX],
    "under_heard": [UNDER_EX],
    "residents_reached_per_1000": 1.8,
    "residents_reached_elsewhere": 5,
}

_RATE = (
    "Residents reached per 1,000 residents: residents_reached * 1000 / population, one decimal; "
    "null when the population is unknown"
)


def _example(value: Mapping[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [dict(value)]})


class NeighborhoodReach(BaseModel):
    """One neighborhood: who lives there (the places file's population) and the residents reached there."""

    model_config = _example(REACH_EX)

    code: str
    name: str
    district: str | None = Field(description="The district the neighborhood belongs to")
    population: int | None = Field(description="Residents, from the places file's `population`; null: unknown")
    population_year: int | None = Field(description="The year the population was counted")
    population_source: str | None = Field(description="Where the population figure comes from, as the file names it")
    residents_reached: int = Field(
        description="Residents at meetings (notes' attendees) + residents reached by contacts, in this neighborhood"
    )
    residents_at_meetings: int = Field(description="Attendees of the period's notes placed in this neighborhood")
    residents_via_contacts: int = Field(description="Residents reached by the period's contacts placed here")
    residents_reached_per_1000: float | None = Field(description=_RATE)


class UnderHeardNeighborhood(NeighborhoodReach):
    """A neighborhood heard least in the period (lowest residents reached per 1,000 residents first)."""

    model_config = _example(UNDER_EX)

    to_reach: int = Field(description="Residents still to reach for it to stand at the area's rate (0: it does)")
    suggestion: str = Field(description="Where the next micro-meetings should be, in plain words")


class ListeningGap(BaseModel):
    """Who was heard against who lives there, per neighborhood, for a district or the whole city."""

    model_config = _example(GAP_EX)

    district: str | None = Field(description="The district asked for; null for the whole city")
    period: Period
    neighborhoods: list[NeighborhoodReach] = Field(description="Every neighborhood of the district (or city), by name")
    under_heard: list[UnderHeardNeighborhood] = Field(
        description="Up to 5 neighborhoods of known population, lowest residents reached per 1,000 residents first"
    )
    residents_reached_per_1000: float | None = Field(
        description="The area's rate: residents reached in neighborhoods of known population per 1,000 of their "
        "residents"
    )
    residents_reached_elsewhere: int = Field(
        description="Residents reached in the period whose note or contact named no neighborhood of the city "
        "(counted in the district's residents reached, in no neighborhood here)"
    )
