"""Import crime incidents from a CSV file, with an optional mapping of the city's own codes.

The incident file (header row; names are matched case-insensitively, first match wins):

* ``incident_id`` | ``id`` | ``incident_number`` | ``case_number`` — optional; without it a
  digest of the row is the id, so importing the same file twice adds nothing;
* ``nibrs_code`` — the NIBRS offense code, where the records system has it;
* ``offense_code`` | ``offense`` | ``code`` | ``mci_category`` | ``category`` — the city's own code
  (or the NIBRS code again); one of the two is required;
* ``occurred_at`` | ``date`` | ``occurrence_date`` | ``occurred_on`` | ``reported_at`` — ISO 8601
  date or date-time, or ``MM/DD/YYYY``; without an offset it is taken as UTC;
* ``lat``/``latitude`` and ``lon``/``lng``/``longitude`` — the place; the district is found by
  point-in-polygon against the city's places (shapely STRtree, see places/);
* ``block`` | ``address`` — kept when there is no point; such a row has no district unless the
  file gives one in ``district`` (a code of the city's) — the dashboard does not geocode.

The mapping file (``--mapping``): ``code,nibrs_code,category`` — the city's code, its NIBRS
code (may be empty) and the name to show (empty: the NIBRS name). Codes that are NIBRS codes
need no mapping; other unmapped codes are kept under their own name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.incidents.models import imports, incident_counts, incidents
from porchlight.dashboard.incidents.offenses.nibrs import OFFENSES, as_nibrs
from porchlight.kit.city import City

ID = ("incident_id", "id", "incident_number", "case_number")
NIBRS = ("nibrs_code", "nibrs")
OFFENSE = ("offense_code", "offense", "code", "mci_category", "category", "offense_description")
WHEN = ("occurred_at", "date", "occurrence_date", "occurred_on", "reported_at", "reported_date")
LAT = ("lat", "latitude", "y")
LON = ("lon", "lng", "long", "longitude", "x")
BLOCK = ("block", "address", "location")
DISTRICT = ("district",)

MAX_ERRORS = 50


class MappingError(ValueError):
    """The mapping or incident file is unusable as a whole (nothing is imported)."""

    def __init__(self, message: str, source: str = "mapping") -> None:
        super().__init__(message)
        self.source = source  # "mapping" or "file": the upload field at fault


@dataclass
class Mapped:
    nibrs_code: str | None
    category: str


@dataclass
class Report:
    import_id: uuid.UUID
    filename: str
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    unlocated: int = 0
    by_district: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


def read_mapping(text: str) -> dict[str, Mapped]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = {n.strip().lower(): n for n in reader.fieldnames or []}
    if "code" not in names:
        raise MappingError("the mapping file needs a header with 'code', 'nibrs_code' and 'category'")
    out: dict[str, Mapped] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get(names["code"]) or "").strip()
        if not code:
            continue
        nibrs_raw = (row.get(names.get("nibrs_code", ""), "") or "").strip() if "nibrs_code" in names else ""
        nibrs = as_nibrs(nibrs_raw) if nibrs_raw else None
        if nibrs_raw and nibrs is None:
            raise MappingError(f"line {line}: {nibrs_raw!r} is not a NIBRS Group A offense code")
        category = (row.get(names["category"]) or "").strip() if "category" in names else ""
        out[code.lower()] = Mapped(nibrs, category or (OFFENSES[nibrs] if nibrs else code))
    return out


def _pick(names: dict[str, str], options: tuple[str, ...]) -> str | None:
    for o in options:
        if o in names:
            return names[o]
    return None


def _when(text: str) -> datetime:
    text = text.strip()
    try:
        if "/" in text:
            moment = datetime.strptime(text.split()[0], "%m/%d/%Y")
        elif len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a date (ISO 8601 or MM/DD/YYYY)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse(text: str, mapping: dict[str, Mapped], city: City, report: Report) -> list[dict[str, Any]]:
    """The rows to insert; bad rows are counted and described (row numbers count the header as 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = {n.strip().lower(): n for n in reader.fieldnames or []}
    cols = {
        k: _pick(names, v)
        for k, v in {
            "id": ID,
            "nibrs": NIBRS,
            "offense": OFFENSE,
            "when": WHEN,
            "lat": LAT,
            "lon": LON,
            "block": BLOCK,
            "district": DISTRICT,
        }.items()
    }
    missing = [
        f
        for f, c in (("offense_code or nibrs_code", cols["offense"] or cols["nibrs"]), ("occurred_at", cols["when"]))
        if not c
    ]
    if missing:
        raise MappingError(f"the incident file has no column {' nor '.join(missing)}", source="file")
    known = set(city.codes)
    rows: list[dict[str, Any]] = []
    pending_points: list[int] = []
    for line, raw in enumerate(reader, start=2):
        report.rows += 1

        def get(key: str, raw: dict[str, Any] = raw) -> str:
            col = cols[key]
            return (raw.get(col) or "").strip() if col else ""

        def reject(field_name: str, message: str, line: int = line) -> None:
            report.rejected += 1
            if len(report.errors) < MAX_ERRORS:
                report.errors.append({"row": line, "field": field_name, "message": message})

        code = get("offense") or get("nibrs")
        if not code:
            reject("offense_code", "is empty")
            continue
        try:
            occurred = _when(get("when"))
        except ValueError as exc:
            reject(cols["when"] or "occurred_at", str(exc))
            continue
        nibrs = as_nibrs(get("nibrs")) if get("nibrs") else None
        mapped = mapping.get(code.lower())
        if mapped is not None:
            nibrs = nibrs or mapped.nibrs_code
            category = mapped.category
        else:
            nibrs = nibrs or as_nibrs(code)
            category = OFFENSES[nibrs] if nibrs else code
        lat = lon = None
        if get("lat") and get("lon"):
            try:
                lat, lon = float(get("lat")), float(get("lon"))
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError
            except ValueError:
                reject(cols["lat"] or "lat", "lat/lon is not a WGS84 point")
                continue
        district = get("district") or None
        if district is not None and district not in known:
            district = None
        ident = (
            get("id")
            or hashlib.sha256("\x1f".join(f"{k}={v}" for k, v in sorted(raw.items()) if k).encode()).hexdigest()[:32]
        )
        row = {
            "incident_id": ident,
            "offense_code": code,
            "nibrs_code": nibrs,
            "category": category,
            "occurred_at": occurred,
            "month": occurred.astimezone(UTC).date().replace(day=1),
            "lat": lat,
            "lon": lon,
            "block": get("block") or None,
            "district": district,
            "import_id": report.import_id,
        }
        if lat is not None and district is None:
            pending_points.append(len(rows))
        rows.append(row)
    located = city.locate([rows[i]["lat"] for i in pending_points], [rows[i]["lon"] for i in pending_points])
    for i, d in zip(pending_points, located, strict=True):
        rows[i]["district"] = d
    return rows


async def import_incidents(
    session: AsyncSession, city: City, filename: str, text: str, mapping_text: str | None = None
) -> Report:
    """Parse, locate and insert (rows already imported are skipped); one transaction."""
    report = Report(import_id=uuid.uuid4(), filename=filename)
    mapping = read_mapping(mapping_text) if mapping_text else {}
    rows = parse(text, mapping, city, report)
    counts: dict[tuple[str, date, str], list[Any]] = {}
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]  # asyncpg takes at most 32,767 parameters
        c = incidents.c
        result = await session.execute(
            insert(incidents)
            .values(chunk)
            .on_conflict_do_nothing()
            .returning(c.district, c.month, c.category, c.nibrs_code)
        )
        for district, month, category, nibrs in result:  # only the rows new to the table
            report.imported += 1
            if district is None:
                report.unlocated += 1
                continue
            report.by_district[district] = report.by_district.get(district, 0) + 1
            counts.setdefault((district, month, category), [nibrs, 0])[1] += 1
    report.duplicates = len(rows) - report.imported
    if counts:
        stmt = insert(incident_counts).values(
            [
                {"district": d, "month": m, "category": cat, "nibrs_code": nibrs, "n": n}
                for (d, m, cat), (nibrs, n) in sorted(counts.items())  # a fixed order: no deadlocks
            ]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[incident_counts.c.district, incident_counts.c.month, incident_counts.c.category],
                set_={"n": incident_counts.c.n + stmt.excluded.n},
            )
        )
    await session.execute(
        sa.insert(imports).values(
            import_id=report.import_id,
            filename=filename,
            rows=report.rows,
            imported=report.imported,
            duplicates=report.duplicates,
            rejected=report.rejected,
            unlocated=report.unlocated,
            imported_at=datetime.now(UTC),
        )
    )
    return report
