"""The incident file (header row; names are matched case-insensitively, first match wins):

* ``incident_id`` | ``id`` | ``incident_number`` | ``case_number`` — optional; without it a
  digest of the row is the id, so importing the same file twice adds nothing;
* ``nibrs_code`` — the NIBRS offense code, where the records system has it;
* ``offense_code`` | ``offense`` | ``code`` | ``mci_category`` | ``category`` — the city's own code
  (or the NIBRS code again); one of the two is required;
* ``occurred_at`` | ``date`` | ``occurrence_date`` | ``occurred_on`` | ``reported_at`` — ISO 8601
  date or date-time, or ``MM/DD/YYYY``; without an offset it is taken as UTC;
* ``lat``/``latitude`` and ``lon``/``lng``/``longitude`` — the place; the district is found by
  point-in-polygon against the city's districts;
* ``block`` | ``address`` — kept when there is no point; such a row is counted in the district the
  file gives in ``district`` (a code of the city's) and not mapped — layers does not geocode.

The mapping file: ``code,nibrs_code,category`` — the city's code, its NIBRS code (may be empty)
and the name to show (empty: the NIBRS name). Codes that are NIBRS codes need no mapping; other
unmapped codes are kept under their own name.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from porchlight.layers.incidents.parsing.offenses import OFFENSES, as_nibrs

ID = ("incident_id", "id", "incident_number", "case_number")
NIBRS = ("nibrs_code", "nibrs")
OFFENSE = ("offense_code", "offense", "code", "mci_category", "category", "offense_description")
WHEN = ("occurred_at", "date", "occurrence_date", "occurred_on", "reported_at", "reported_date")
LAT = ("lat", "latitude", "y")
LON = ("lon", "lng", "long", "longitude", "x")
BLOCK = ("block", "address", "location")
DISTRICT = ("district",)


class FileProblem(ValueError):
    """The mapping or incident file is unusable as a whole (nothing is imported)."""

    def __init__(self, message: str, source: str = "mapping") -> None:
        super().__init__(message)
        self.source = source  # "mapping" or "file": the upload field at fault


@dataclass(frozen=True)
class Mapped:
    nibrs_code: str | None
    category: str


@dataclass(frozen=True)
class IncidentRow:
    """One row: its line, and either the incident's fields or why it was refused."""

    line: int
    incident_id: str = ""
    offense_code: str = ""
    nibrs_code: str | None = None
    category: str = ""
    occurred_at: datetime | None = None
    point: tuple[float, float] | None = None
    block: str | None = None
    district: str | None = None
    error: tuple[str, str] | None = None  # (field, message)
    #: The file's own name for the point's column: what a refusal of the place names.
    point_field: str = "latitude"


def read_code_mapping(text: str) -> dict[str, Mapped]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = {n.strip().lower(): n for n in reader.fieldnames or []}
    if "code" not in names:
        raise FileProblem("the mapping file needs a header with 'code', 'nibrs_code' and 'category'")
    out: dict[str, Mapped] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get(names["code"]) or "").strip()
        if not code:
            continue
        nibrs_raw = (row.get(names["nibrs_code"]) or "").strip() if "nibrs_code" in names else ""
        nibrs = as_nibrs(nibrs_raw) if nibrs_raw else None
        if nibrs_raw and nibrs is None:
            raise FileProblem(f"line {line}: {nibrs_raw!r} is not a NIBRS Group A offense code")
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


def parse_incidents(text: str, mapping: dict[str, Mapped]) -> list[IncidentRow]:
    """Every row of the file (line numbers count the header as 1), each read or refused."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = {n.strip().lower(): n for n in reader.fieldnames or []}
    aliases = {"id": ID, "nibrs": NIBRS, "offense": OFFENSE, "when": WHEN, "lat": LAT, "lon": LON,
               "block": BLOCK, "district": DISTRICT}  # fmt: skip
    cols = {k: _pick(names, v) for k, v in aliases.items()}
    missing = [
        f
        for f, c in (("offense_code or nibrs_code", cols["offense"] or cols["nibrs"]), ("occurred_at", cols["when"]))
        if not c
    ]
    if missing:
        raise FileProblem(f"the incident file has no column {' nor '.join(missing)}", source="file")
    rows: list[IncidentRow] = []
    for line, raw in enumerate(reader, start=2):

        def get(key: str, raw: dict[str, str | None] = raw) -> str:
            col = cols[key]
            return (raw.get(col) or "").strip() if col else ""

        code = get("offense") or get("nibrs")
        if not code:
            rows.append(IncidentRow(line, error=("offense_code", "is empty")))
            continue
        try:
            occurred = _when(get("when"))
        except ValueError as exc:
            rows.append(IncidentRow(line, error=(cols["when"] or "occurred_at", str(exc))))
            continue
        nibrs = as_nibrs(get("nibrs")) if get("nibrs") else None
        mapped = mapping.get(code.lower())
        if mapped is not None:
            nibrs = nibrs or mapped.nibrs_code
            category = mapped.category
        else:
            nibrs = nibrs or as_nibrs(code)
            category = OFFENSES[nibrs] if nibrs else code
        point = None
        if get("lat") and get("lon"):
            try:
                lat, lon = float(get("lat")), float(get("lon"))
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError
            except ValueError:
                rows.append(IncidentRow(line, error=(cols["lat"] or "lat", "lat/lon is not a WGS84 point")))
                continue
            point = (lat, lon)
        ident = (
            get("id")
            or hashlib.sha256("\x1f".join(f"{k}={v}" for k, v in sorted(raw.items()) if k).encode()).hexdigest()[:32]
        )
        rows.append(
            IncidentRow(
                line,
                incident_id=ident,
                offense_code=code,
                nibrs_code=nibrs,
                category=category,
                occurred_at=occurred,
                point=point,
                block=get("block") or None,
                district=get("district") or None,
                point_field=cols["lat"] or "latitude",
            )
        )
    return rows
