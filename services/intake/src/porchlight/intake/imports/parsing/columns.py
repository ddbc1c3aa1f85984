"""Which column is which: departments name their columns every way there is.

Headers are compared normalized (case, spaces, punctuation ignored: "# Residents " is
"residents", "Sentiment (1-5)" is "sentiment 1 5") against an alias table per kind; an explicit
mapping (header -> field, or null to ignore a column) wins over the table. Columns nobody
recognises are reported, not fatal. Missing required columns, two columns for one field and a
mapping naming an unknown field or header are one 422 naming all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from porchlight.kit.errors import ValidationProblem

#: How many rows at the top of a file may come before the header (titles, blank rows).
HEADER_SEARCH_ROWS = 10

_PLACE = {
    "district": ("district", "police district", "precinct", "dist", "district code", "area"),
    "neighborhood": ("neighborhood", "neighbourhood", "hood", "neighborhood code", "community"),
    "lat": ("lat", "latitude", "y", "gps lat"),
    "lon": ("lon", "long", "lng", "longitude", "x", "gps lon", "gps long"),
    "place_name": ("location", "place", "place name", "location name", "venue", "site", "address"),
}
_WHEN = {
    "date": ("date", "when", "datetime", "date time", "timestamp"),
    "time": ("time", "start time", "time of day"),
}

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts": {
        "id": (
            "id",
            "contact id",
            "record id",
            "record",
            "record number",
            "record no",
            "ref",
            "reference",
            "client id",
            "uuid",
            "entry id",
        ),
        "officer": (
            "officer",
            "officer id",
            "badge",
            "badge number",
            "badge no",
            "badge id",
            "officer badge",
            "employee id",
            "emp id",
            "employee number",
            "logged by",
            "member",
        ),
        "unit": ("unit", "squad", "team", "unit code", "assignment"),
        "contact_type": (
            "type",
            "contact type",
            "activity",
            "activity type",
            "category",
            "kind",
            "type of contact",
            "engagement type",
        ),
        "minutes": (
            "minutes",
            "mins",
            "min",
            "duration",
            "duration minutes",
            "duration min",
            "time spent",
            "length",
            "duration mins",
            "time spent minutes",
        ),
        "hours": ("hours", "hrs", "duration hours", "time spent hours", "hours spent"),
        "residents_reached": (
            "residents",
            "residents reached",
            "people",
            "people reached",
            "number of residents",
            "residents contacted",
            "reached",
            "participants",
            "no of residents",
            "count",
            "number reached",
            "attendance",
        ),
        "date": (
            *_WHEN["date"],
            "contact date",
            "date of contact",
            "occurred",
            "occurred at",
            "activity date",
            "event date",
        ),
        "time": (*_WHEN["time"], "contact time"),
        **_PLACE,
        "note": ("notes", "note", "comments", "comment", "narrative", "description", "remarks", "details", "summary"),
    },
    "notes": {
        "id": (
            "id",
            "note id",
            "record id",
            "record",
            "record number",
            "record no",
            "ref",
            "reference",
            "client id",
            "uuid",
            "entry id",
        ),
        "host": (
            "host",
            "host id",
            "officer",
            "officer id",
            "badge",
            "badge number",
            "facilitator",
            "facilitator id",
            "liaison",
            "recorded by",
            "author",
            "employee id",
        ),
        "meeting_id": ("meeting id", "meeting"),
        "date": (*_WHEN["date"], "meeting date", "held", "held at", "held on", "date held"),
        "time": _WHEN["time"],
        **_PLACE,
        "concerns": ("concerns", "top concerns", "issues", "issues raised"),
        "sentiment": ("sentiment", "sentiment 1 5", "overall sentiment", "mood", "tone", "rating", "overall mood"),
        "attendees": (
            "attendees",
            "residents",
            "attendance",
            "participants",
            "people",
            "number of attendees",
            "head count",
            "headcount",
            "number of residents",
            "no of residents",
        ),
        "follow_ups": (
            "follow ups",
            "follow up",
            "followups",
            "followup",
            "follow ups requested",
            "follow up requested",
            "action items",
            "next steps",
        ),
        "notes": ("notes", "note", "comments", "narrative", "summary", "free text", "remarks", "details"),
    },
}

#: Numbered columns of notes: "Concern 1".."Concern 5", "Topic 1" / "Concern 1 topic".
_CONCERN = re.compile(r"^(?:top )?(?:concern|issue|priority|problem)s? ?(\d)$")
_TOPIC = re.compile(r"^(?:(?:concern|issue) ?(\d) topic|topic ?(\d))$")
MAX_CONCERNS = 5

#: Fields that must have a column: each entry is a set of alternatives, each alternative the
#: fields it needs (a place is a district, or a point as lat and lon).
REQUIRED: dict[str, list[list[tuple[str, ...]]]] = {
    "contacts": [
        [("officer",)],
        [("date",)],
        [("contact_type",)],
        [("minutes",), ("hours",)],
        [("residents_reached",)],
        [("district",), ("lat", "lon")],
    ],
    "notes": [
        [("host",)],
        [("date",)],
        [("sentiment",)],
        [("attendees",)],
        [("district",), ("lat", "lon"), ("meeting_id",)],
    ],
}


def normalize(header: Any) -> str:
    """Case, spacing and punctuation left out: ``" # Residents "`` -> ``"residents"``."""
    text = str(header or "").replace("\ufeff", "").casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def fields_of(kind: str) -> set[str]:
    """Every field a column may be mapped to."""
    out = set(ALIASES[kind])
    if kind == "notes":
        out |= {f"concern_{i}" for i in range(1, MAX_CONCERNS + 1)}
        out |= {f"topic_{i}" for i in range(1, MAX_CONCERNS + 1)}
    return out


def _index(kind: str) -> dict[str, str]:
    return {alias: name for name, aliases in ALIASES[kind].items() for alias in aliases}


def recognise(kind: str, header: Any) -> str | None:
    """The field a header names by the alias table, or None."""
    key = normalize(header)
    if not key:
        return None
    found = _index(kind).get(key)
    if found is None and key.endswith("s"):
        found = _index(kind).get(key[:-1])
    if found is None and kind == "notes":
        if (m := _CONCERN.match(key)) and 1 <= int(m.group(1)) <= MAX_CONCERNS:
            found = f"concern_{m.group(1)}"
        elif (m := _TOPIC.match(key)) and 1 <= int(m.group(1) or m.group(2)) <= MAX_CONCERNS:
            found = f"topic_{m.group(1) or m.group(2)}"
    return found


@dataclass
class ColumnMap:
    """How a file's columns are read."""

    header_row: int
    headers: list[str]
    fields: dict[int, str]  # column index -> field
    unknown: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def column_of(self, name: str) -> str | None:
        for index, f in self.fields.items():
            if f == name:
                return self.headers[index]
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "header_row": self.header_row,
            "headers": self.headers,
            "fields": {str(i): f for i, f in self.fields.items()},
            "unknown": self.unknown,
            "ignored": self.ignored,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnMap:
        return cls(
            header_row=int(data["header_row"]),
            headers=list(data["headers"]),
            fields={int(i): f for i, f in data["fields"].items()},
            unknown=list(data.get("unknown", [])),
            ignored=list(data.get("ignored", [])),
        )


def find_header(kind: str, top: Sequence[tuple[int, Sequence[Any]]], mapping: Mapping[str, str | None]) -> int:
    """Of the first rows, the index of the one naming the most known columns (titles come first)."""
    explicit = {normalize(h) for h in mapping}
    best, best_score = -1, 0
    for i, (_, cells) in enumerate(top[:HEADER_SEARCH_ROWS]):
        score = sum(1 for c in cells if recognise(kind, c) is not None or (normalize(c) in explicit and c))
        if score > best_score:
            best, best_score = i, score
    return best


def resolve(kind: str, header_row: int, cells: Sequence[Any], mapping: Mapping[str, str | None]) -> ColumnMap:
    """The column map of a header, or one ``ValidationProblem`` naming every problem."""
    headers = [" ".join(str(c).replace("\ufeff", "").split()) if c is not None else "" for c in cells]
    allowed = fields_of(kind)
    explicit = {normalize(h): f for h, f in mapping.items()}
    errors: list[dict[str, str]] = []
    for header, target in mapping.items():
        if target is not None and target not in allowed:
            errors.append(
                {
                    "field": f"mapping.{header}",
                    "message": f"unknown field {target!r}; fields: {', '.join(sorted(allowed))}",
                }
            )
        if normalize(header) not in {normalize(h) for h in headers}:
            errors.append({"field": f"mapping.{header}", "message": "no column of the header has this name"})
    fields: dict[int, str] = {}
    unknown, ignored = [], []
    for i, header in enumerate(headers):
        key = normalize(header)
        if not key:
            continue  # an unnamed column (a trailing delimiter): its cells are checked per row
        if key in explicit:
            target = explicit[key]
            if target is None:
                ignored.append(header)
                continue
            if target in allowed:
                fields[i] = target
            continue
        found = recognise(kind, header)
        if found is None:
            unknown.append(header)
        else:
            fields[i] = found
    seen: dict[str, int] = {}
    for i, f in fields.items():
        if f in seen:
            errors.append(
                {
                    "field": f"columns.{f}",
                    "message": f"columns {headers[seen[f]]!r} and {headers[i]!r} both read as {f}: "
                    "map one of them to another field, or to null to ignore it",
                }
            )
        seen.setdefault(f, i)
    if "minutes" in seen and "hours" in seen:
        errors.append({"field": "columns.minutes", "message": "both a minutes and an hours column: map one to null"})
    for alternatives in REQUIRED[kind]:
        if not any(all(f in seen for f in alt) for alt in alternatives):
            names = " or ".join(" and ".join(alt) for alt in alternatives)
            errors.append({"field": f"columns.{alternatives[0][0]}", "message": f"no column for {names}"})
    if errors:
        raise ValidationProblem(
            f"The header (row {header_row}) cannot be read: {', '.join(e['field'] for e in errors)}", errors=errors
        )
    return ColumnMap(header_row=header_row, headers=headers, fields=fields, unknown=unknown, ignored=ignored)
