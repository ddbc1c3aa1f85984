"""What every kind of row shares: issues, the cells of a row by field, pydantic and place errors.

A row is read in three steps, every problem of a row collected before it is judged:
cells (values.py parsers: dates, durations, words), then the capability's own pydantic form
(``ContactIn``, ``NoteIn``: the very rules of the API), then the checks against the city and the
clock (places, meetings). Reasons never quote a cell: "unknown district" says which column, not
what was typed in it (a district column sometimes holds an address).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from porchlight.events.catalog import GeoPoint
from porchlight.intake.imports.parsing.columns import ColumnMap
from porchlight.intake.imports.parsing.values import CellError, parse_coordinate, parse_date, record_id, row_id
from porchlight.intake.places.geometry.index import PlaceIndex

M = TypeVar("M", bound=BaseModel)

#: Officer and host ids as departments have them: badge or employee numbers, codes. Names have
#: spaces and are personal data (the id travels in events), so they are refused.
_PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,119}$")


@dataclass(frozen=True)
class Issue:
    row: int
    field: str
    reason: str
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class Rules:
    """How this import reads dates and which dates it accepts."""

    kind: str
    import_id: uuid.UUID
    order: str  # mdy | dmy | ymd
    zone: tzinfo
    now: datetime
    max_future: timedelta
    max_age: timedelta

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()


@dataclass
class Cells:
    """One row's cells by field, and the issues found reading them."""

    row: int
    values: dict[str, Any]
    columns: ColumnMap
    issues: list[Issue] = field(default_factory=list)

    def column(self, name: str) -> str | None:
        return self.columns.column_of(name)

    def problem(self, name: str, reason: str, column: str | None = None) -> None:
        self.issues.append(Issue(self.row, name, reason, column or self.column(name)))

    def bad(self, name: str) -> bool:
        return bool(self.issues) and any(i.field == name for i in self.issues)

    def take(
        self, name: str, parse: Callable[[Any], Any] | None = None, *, required: bool = False, column: str | None = None
    ) -> Any:
        """The parsed cell of ``name``; None (and an issue when required or unreadable) otherwise."""
        raw = self.values.get(name)
        if raw is None:
            if required:
                self.problem(name, "missing", column)
            return None
        if parse is None:
            return raw
        try:
            return parse(raw)
        except CellError as exc:
            self.problem(name, str(exc), column)
            return None

    def when(self, rules: Rules) -> datetime | None:
        """The row's date (and time) as an aware datetime."""
        if self.values.get("date") is None:
            self.problem("date", "missing")
            return None
        try:
            return parse_date(
                self.values["date"], order=rules.order, zone=rules.zone, at=self.values.get("time"), today=rules.today
            )
        except CellError as exc:
            bad_time = self.values.get("time") is not None and str(exc).startswith("not a time")
            self.problem("time" if bad_time else "date", str(exc))
            return None

    def person(self, name: str) -> str | None:
        value = self.take(name, required=True)
        if value is None:
            return None
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if not _PERSON_ID.match(text):
            self.problem(
                name,
                "not an id: a badge or employee number, without spaces (names are personal data "
                "and must not travel in events)",
            )
            return None
        return text

    def point(self) -> GeoPoint | None:
        lat = self.take("lat", parse_coordinate)
        lon = self.take("lon", parse_coordinate)
        if (lat is None) != (lon is None) and not (self.bad("lat") or self.bad("lon")):
            self.problem("lon" if lon is None else "lat", "a point needs both lat and lon")
        if lat is None or lon is None:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.problem("lat", "not a point on Earth (lat -90 to 90, lon -180 to 180)")
            return None
        return GeoPoint(lat=lat, lon=lon)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    def entity_id(self, rules: Rules) -> uuid.UUID:
        raw = self.values.get("id")
        singular = rules.kind.removesuffix("s")
        return record_id(singular, raw) if raw is not None else row_id(singular, rules.import_id, self.row)


@dataclass
class Checked(Generic[M]):
    """A row whose form validated: the form, and what else the row said."""

    cells: Cells
    form: M
    extra: dict[str, Any] = field(default_factory=dict)


def validate_forms(
    adapter: TypeAdapter[list[M]], model: type[M], inputs: Sequence[dict[str, Any]], context: Mapping[str, Any]
) -> list[M | ValidationError]:
    """Each input as a form or its errors; one bulk validation when the whole batch is good."""
    try:
        return list(adapter.validate_python(list(inputs), context=dict(context)))
    except ValidationError:
        pass
    out: list[M | ValidationError] = []
    for data in inputs:
        try:
            out.append(model.model_validate(data, context=dict(context)))
        except ValidationError as exc:
            out.append(exc)
    return out


def form_issues(cells: Cells, exc: ValidationError, locate: Callable[[tuple[Any, ...]], str]) -> None:
    """The form's errors as the row's issues; a field already reported by its cell is not repeated."""
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        name = locate(tuple(err["loc"]))
        if cells.bad(name):
            continue
        cells.problem(name, _reason(err["msg"]))


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")


_PLACE_FIELDS = {"district": "district", "neighborhood": "neighborhood", "point": "lat", "place_name": "place_name"}


def place_field(path: Sequence[str]) -> str:
    """``place.point.lat`` -> ``lat``; ``place.district`` -> ``district``."""
    parts = [p for p in path if p not in ("body", "place")]
    if not parts:
        return "district"
    if parts[0] == "point":
        return parts[1] if len(parts) > 1 and parts[1] in ("lat", "lon") else "lat"
    return _PLACE_FIELDS.get(parts[0], parts[0])


def place_issues(
    cells: Cells,
    errors: Sequence[Mapping[str, str]],
    typed: Sequence[str | None],
    point: GeoPoint | None,
    index: PlaceIndex | None,
) -> None:
    """Place errors (``resolve_place``'s) as issues, without the values typed in the file."""
    for err in errors:
        name = place_field(err["field"].split("."))
        if cells.bad(name):
            continue
        reason = without_values(err["message"], typed)
        if name == "lat" and point is not None and index is not None and index.district_at(point.lon, point.lat):
            reason += " (lat and lon look swapped)"
        cells.problem(name, reason)


def without_values(message: str, typed: Sequence[str | None]) -> str:
    """``"unknown district 'Elm St 12'; valid codes..."`` -> ``"unknown district; valid codes..."``."""
    for value in typed:
        if value:
            for shown in (repr(value), repr(value.strip())):
                message = message.replace(" " + shown, "").replace(shown, "this value")
    return message


@dataclass(frozen=True)
class Staged:
    """A row that passed every check, as stored for the commit (its id, fingerprint and form)."""

    row: int
    entity_id: uuid.UUID
    fingerprint: str
    payload: dict[str, Any]


@dataclass
class Committed:
    """What committing a batch did: rows created, rows already there, rows refused (issues)."""

    created: int = 0
    existing: int = 0
    issues: list[Issue] = field(default_factory=list)
