"""Accepting department records, whichever door they came through (Kafka, Open311, files, HTTP).

Every door hands ``RecordIn`` rows to ``accept``: checked against the registry (department and
layer), the geometry and the city (district, with a tolerance at its edge), stored by
``(department, external_id)`` so a record delivered again updates instead of duplicating, and a
``record.accepted`` written to the outbox in the same transaction for each record that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import RecordAccepted
from porchlight.events.catalog import GeoPoint
from porchlight.layers.db import outbox
from porchlight.layers.places import GeometryError, Locator, Placed, cell_of, place_of
from porchlight.layers.records import repository
from porchlight.layers.records.models import CLOSED_WORDS, INCIDENT_LAYER
from porchlight.layers.registry import Registry

#: A record opened this far in the future is a wrong clock or a wrong field, unless scheduled.
_FUTURE_SLACK = timedelta(days=1)
#: The most records one ``accept`` stores in one statement (asyncpg's 32,767 parameters / ~17 columns).
CHUNK = 1_500


@dataclass(frozen=True)
class RecordIn:
    """A department record as a door read it, before any check."""

    department: str
    layer: str
    external_id: str
    category: str
    status: str = "open"
    point: tuple[float, float] | None = None  # (lat, lon)
    geometry: dict[str, Any] | None = None  # GeoJSON
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    description: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    #: The department's own district code, used only when it gives no place (no point, no
    #: geometry); a point or geometry is always located by the city's boundaries instead.
    district: str | None = None


class RecordRefused(ValueError):
    """A record that cannot be accepted; ``errors`` name each field (``{"field", "message"}``)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Places:
    """What checking a record needs: the city's registry and its districts (provided at start)."""

    registry: Registry
    locator: Locator


@dataclass
class AcceptReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (index in the input, errors) for each refused record.
    refused: list[tuple[int, list[dict[str, str]]]] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)  # of created and updated records, in order


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _nul_free(rec: RecordIn) -> list[dict[str, str]]:
    """PostgreSQL refuses NUL in text and JSON: a 4xx naming the field, not a 500 at the insert."""
    fields = ("department", "layer", "external_id", "category", "status", "description", "attributes", "geometry")
    return [{"field": f, "message": "must not contain NUL characters"} for f in fields if _has_nul(getattr(rec, f))]


def is_open(status: str, closed_at: datetime | None, now: datetime) -> bool:
    if status.strip().lower() in CLOSED_WORDS:
        return False
    return closed_at is None or closed_at > now  # a scheduled thing is open until it ends


def check(rec: RecordIn, places: Places, now: datetime) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The row to store for ``rec`` (without district), and what is wrong with it ([] if nothing)."""
    errors = list(places.registry.refusals(rec.department, rec.layer))
    errors += _nul_free(rec)
    if not rec.external_id or len(rec.external_id) > 200:
        errors.append({"field": "external_id", "message": "required, at most 200 characters"})
    if not rec.category or len(rec.category) > 200:
        errors.append({"field": "category", "message": "required, at most 200 characters"})
    placed: Placed | None = None
    if rec.point is None and rec.geometry is None and rec.district:
        if rec.district not in places.locator.city.codes:
            errors.append({"field": "district", "message": f"no district {rec.district!r} in the city"})
    else:
        try:
            placed = place_of(rec.point, rec.geometry)
        except GeometryError as exc:
            errors.append({"field": exc.field, "message": exc.message})
    opened = _utc(rec.opened_at) or _utc(rec.starts_at)
    closed = _utc(rec.closed_at) or _utc(rec.ends_at)
    layer = places.registry.layers.get(rec.layer)
    if opened is None:
        errors.append({"field": "opened_at", "message": "opened_at (or starts_at) is required"})
    elif opened > now + _FUTURE_SLACK and not (layer and layer.scheduled):
        errors.append({"field": "opened_at", "message": "in the future (only scheduled layers may be)"})
    if opened is not None and closed is not None and closed < opened:
        errors.append({"field": "closed_at", "message": "before opened_at"})
    if errors or opened is None:
        return {}, errors
    row = {
        "department": rec.department,
        "layer": rec.layer,
        "external_id": rec.external_id,
        "category": rec.category.strip(),
        "status": (rec.status or "open").strip().lower()[:64],
        "geometry": placed.geometry if placed else None,
        "lat": placed.lat if placed else None,
        "lon": placed.lon if placed else None,
        "cell": cell_of(placed.lat, placed.lon) if placed else None,
        "district": None if placed else rec.district,
        "opened_at": opened,
        "closed_at": closed,
        "description": rec.description[:2000],
        "attributes": {str(k)[:64]: v for k, v in rec.attributes.items()},
    }
    return row, []


def accepted_event(row: Mapping[str, Any], now: datetime) -> RecordAccepted:
    """The ``record.accepted`` for a stored record (its columns by name)."""
    return RecordAccepted(
        record_id=row["record_id"],
        version=row["version"],
        department=row["department"],
        layer=row["layer"],
        external_id=row["external_id"],
        category=row["category"],
        status=row["status"],
        open=is_open(row["status"], row["closed_at"], now),
        district=row["district"],
        point=GeoPoint(lat=row["lat"], lon=row["lon"]) if row["lat"] is not None else None,
        geometry_type=str(row["geometry"]["type"]) if row["geometry"] else None,
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        attributes=row["attributes"],
    )


async def accept(
    session: AsyncSession, records: list[RecordIn], places: Places, *, source: str, now: datetime | None = None
) -> AcceptReport:
    """Check, store and announce ``records``; refused ones are reported, never stored.

    Within one call the last delivery of an external id wins (a feed that sends a record twice in
    one batch sends its latest state last).
    """
    now = now or datetime.now(UTC)
    report = AcceptReport()
    rows: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for i, rec in enumerate(records):
        row, errors = check(rec, places, now)
        if errors:
            report.refused.append((i, errors))
            continue
        rows[(row["department"], row["external_id"])] = (i, row)
    if not rows:
        return report
    keep = list(rows.values())
    placed = [(i, r) for i, r in keep if r["geometry"] is not None]
    districts = places.locator.districts([r["lat"] for _, r in placed], [r["lon"] for _, r in placed])
    located = {i: d for (i, _), d in zip(placed, districts, strict=True)}
    stored = []
    for i, row in keep:
        district = located.get(i, row["district"])
        if district is False:
            where = "point" if row["geometry"]["type"] == "Point" else "geometry"
            report.refused.append((i, [{"field": where, "message": "outside the city"}]))
            continue
        stored.append({**row, "district": district, "source": source})
    by_key = {(r["department"], r["external_id"]): r for r in stored}
    for start in range(0, len(stored), CHUNK):
        changed = [
            {**by_key[(r.department, r.external_id)], "record_id": r.record_id, "version": r.version}
            for r in await repository.store(session, stored[start : start + CHUNK])
        ]
        for r in changed:
            if r["version"] == 1:
                report.created += 1
            else:
                report.updated += 1
            report.record_ids.append(str(r["record_id"]))
        if changed:
            await outbox.add(session, *(accepted_event(r, now) for r in changed))
            await repository.mark_dirty(session, [(r["cell"], r["layer"] == INCIDENT_LAYER) for r in changed])
    report.unchanged = len(stored) - report.created - report.updated
    report.refused.sort(key=lambda item: item[0])
    return report


async def close(
    session: AsyncSession, department: str, external_id: str, closed_at: datetime, status: str = "closed"
) -> bool:
    """Close a stored record; False when it was already closed so (nothing to announce).

    RecordRefused when the department has no such record.
    """
    row = await repository.close(session, department, external_id, _utc(closed_at) or closed_at, status.lower()[:64])
    if row is None:
        if await repository.id_of(session, department, external_id) is None:
            raise RecordRefused([{"field": "external_id", "message": f"no record {external_id!r} from {department!r}"}])
        return False
    await outbox.add(session, accepted_event(row._mapping, datetime.now(UTC)))
    await repository.mark_dirty(session, [(row.cell, row.layer == INCIDENT_LAYER)])
    return True
