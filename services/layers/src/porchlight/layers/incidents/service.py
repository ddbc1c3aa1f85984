"""Importing crime incidents: the records system's CSV read as before, each incident stored as a
record of the police department's ``incident`` layer through the one ``accept`` (so it is checked,
located and announced as ``record.accepted``, which the dashboard counts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.incidents import repository
from porchlight.layers.incidents.parsing import parse_incidents, read_code_mapping
from porchlight.layers.records.service import CHUNK, Places, RecordIn, accept

DEPARTMENT, LAYER = "police", "incident"
MAX_ERRORS = 50


@dataclass
class IncidentReport:
    import_id: uuid.UUID
    filename: str
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    unlocated: int = 0
    by_district: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, field_name: str, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": line, "field": field_name, "message": message})


async def import_incidents(
    session: AsyncSession, places: Places, filename: str, text: str, mapping_text: str | None = None
) -> IncidentReport:
    """Parse and store (an incident imported before, unchanged, is a duplicate); one transaction."""
    report = IncidentReport(import_id=uuid.uuid4(), filename=filename)
    mapping = read_code_mapping(mapping_text) if mapping_text else {}
    rows = parse_incidents(text, mapping)
    report.rows = len(rows)
    good = []
    seen: set[str] = set()
    for row in rows:
        if row.error is not None:
            report.reject(row.line, *row.error)
            continue
        if row.point is None and not row.district:
            report.reject(row.line, row.point_field, "no point and no district: the incident cannot be placed")
            continue
        if row.incident_id in seen:
            report.duplicates += 1  # the same incident twice in one file: its first row is the one kept
            continue
        seen.add(row.incident_id)
        good.append(row)
    changed: list[str] = []
    for start in range(0, len(good), CHUNK):
        chunk = good[start : start + CHUNK]
        result = await accept(
            session,
            [
                RecordIn(
                    department=DEPARTMENT,
                    layer=LAYER,
                    external_id=r.incident_id,
                    category=r.category,
                    status="closed",  # an incident is a past event: it is counted, never "open"
                    point=r.point,
                    opened_at=r.occurred_at,
                    closed_at=r.occurred_at,
                    attributes={"offense_code": r.offense_code, "nibrs_code": r.nibrs_code, "block": r.block},
                    district=r.district if r.point is None else None,
                )
                for r in chunk
            ],
            places,
            source="file",
        )
        for i, errors in result.refused:
            e = errors[0]
            report.reject(chunk[i].line, chunk[i].point_field if e["field"] == "point" else e["field"], e["message"])
        report.imported += result.created + result.updated
        report.duplicates += result.unchanged
        changed += result.record_ids
    report.by_district = await repository.districts_of(session, changed)
    # Placed by the file's district alone (a block, no point): counted there, never on a map.
    report.unlocated = await repository.without_point(session, changed)
    return report
