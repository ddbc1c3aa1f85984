"""Who was heard against who lives there.

One figure, one name: **residents reached per 1,000 residents** — the residents a neighborhood's
meetings (the notes' attendees) and positive contacts reached in the period, per 1,000 of the
population its places file gives, to one decimal. A neighborhood whose population is not known
gets no rate (the page says "population unknown"), never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Heard:
    """A neighborhood's residents reached in the period, and its population (None: unknown)."""

    code: str
    name: str
    district: str | None
    population: int | None
    at_meetings: int = 0
    via_contacts: int = 0

    @property
    def reached(self) -> int:
        return self.at_meetings + self.via_contacts

    @property
    def rate(self) -> float | None:
        return per_thousand(self.reached, self.population)


@dataclass(frozen=True)
class UnderHeard:
    """A neighborhood in the under-heard list: lowest rate first, with what to do about it."""

    heard: Heard
    rate: float
    #: Residents still to reach for the neighborhood to stand at the area's rate (0: it does).
    to_reach: int
    suggestion: str


def per_thousand(reached: int, population: int | None) -> float | None:
    """Residents reached per 1,000 residents, half up to one decimal; None without a population."""
    if population is None or population <= 0:
        return None
    # Decimal: 0.05 rounds up as a reader expects (binary floats would round some halves down).
    value = Decimal(reached) * 1000 / Decimal(population)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def overall_rate(rows: list[Heard]) -> float | None:
    """The area's rate: all residents reached in neighborhoods of known population per 1,000 of them."""
    known = [r for r in rows if r.rate is not None]
    return per_thousand(sum(r.reached for r in known), sum(r.population or 0 for r in known)) if known else None


def under_heard(rows: list[Heard], *, so_far: bool = False, limit: int = 5) -> list[UnderHeard]:
    """The neighborhoods heard least, lowest rate first (the most residents first among equal rates),
    those of unknown population left out; each with a plain suggestion for the next micro-meetings."""
    area = overall_rate(rows)
    known = [r for r in rows if r.rate is not None]
    ranked = sorted(known, key=lambda r: (r.rate, -(r.population or 0), r.code))
    out = []
    for r in ranked[:limit]:
        rate = r.rate
        assert rate is not None and r.population is not None and area is not None
        to_reach = max(0, math.ceil(area * r.population / 1000 - r.reached)) if rate < area else 0
        out.append(UnderHeard(r, rate, to_reach, suggestion(r, rate, area, to_reach, so_far=so_far)))
    return out


def suggestion(r: Heard, rate: float, area: float, to_reach: int, *, so_far: bool = False) -> str:
    when = " so far" if so_far else ""
    said = f"{_num(rate)} residents reached per 1,000 residents{when} ({r.reached:,} of {r.population or 0:,})"
    if r.reached == 0:
        return f"Next micro-meetings: {r.name} — no resident reached{when} ({r.population or 0:,} live there)."
    if to_reach > 0:
        return (
            f"Next micro-meetings: {r.name} — {said}; about {to_reach:,} more residents would bring it to "
            f"the area's {_num(area)} per 1,000."
        )
    return f"{r.name} — {said}, at or above the area's {_num(area)} per 1,000."


def _num(rate: float) -> str:
    return f"{rate:,.1f}"
