"""What the crime-statistics routes answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from porchlight.dashboard.pages.schemas import Crime, Period


class RowError(BaseModel):
    """One rejected row of an incidents file, with the field at fault."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"row": 14, "field": "occurred_at", "message": "not a date"}]}
    )

    row: int = Field(description="Line in the file (the header is line 1)")
    field: str
    message: str


class ImportReportOut(BaseModel):
    """What an incidents import did: rows imported, skipped as duplicates, rejected, unlocated."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "import_id": "0b7f9a52-6a1e-4d3e-9f0e-2d8c8f2a6c11",
                    "filename": "incidents-2026-11.csv",
                    "rows": 1204,
                    "imported": 1180,
                    "duplicates": 12,
                    "rejected": 2,
                    "unlocated": 10,
                    "by_district": {"B2": 402, "D4": 311},
                    "errors": [{"row": 14, "field": "occurred_at", "message": "not a date"}],
                }
            ]
        }
    )

    import_id: str
    filename: str
    rows: int
    imported: int
    duplicates: int = Field(description="Already imported before (same incident id): skipped")
    rejected: int
    unlocated: int = Field(description="Imported without a district (outside the city, or a block without a point)")
    by_district: dict[str, int]
    errors: list[RowError] = Field(description="The first 50 rejected rows")


class DistrictCrime(BaseModel):
    """One district's incident counts for the month."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "district": "B2",
                    "crime": {
                        "total": 54,
                        "previous_month": 61,
                        "last_year": 58,
                        "change_vs_previous_month": -0.115,
                        "change_vs_last_year": -0.069,
                        "by_category": [],
                        "trend": [],
                    },
                }
            ]
        }
    )

    district: str
    crime: Crime


class CrimeStats(BaseModel):
    """Incident counts by district for a month."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period": {"month": "2026-11", "start": "2026-11-01", "end": "2026-12-01"},
                    "districts": [],
                }
            ]
        }
    )

    period: Period
    districts: list[DistrictCrime]
