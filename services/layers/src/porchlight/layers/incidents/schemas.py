"""What an incidents import answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IncidentRowError(BaseModel):
    """One rejected row of an incidents file, with the field at fault."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"row": 14, "field": "occurred_at", "message": "not a date"}]}
    )

    row: int = Field(description="Line in the file (the header is line 1)")
    field: str
    message: str


class IncidentImportOut(BaseModel):
    """What an incidents import did: rows imported, skipped as duplicates, rejected, unlocated."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "import_id": "0b7f9a52-6a1e-4d3e-9f0e-2d8c8f2a6c11",
                    "filename": "incidents-2026-11.csv",
                    "rows": 1204,
                    "imported": 1190,
                    "duplicates": 12,
                    "rejected": 2,
                    "unlocated": 1,
                    "by_district": {"B2": 702, "D4": 488},
                    "errors": [{"row": 14, "field": "occurred_at", "message": "not a date"}],
                }
            ]
        }
    )

    import_id: str
    filename: str
    rows: int
    imported: int
    duplicates: int = Field(description="Imported before (same incident id), unchanged: nothing new")
    rejected: int
    unlocated: int = Field(
        description="Imported without a point (a block and the file's district): counted there, not mapped"
    )
    by_district: dict[str, int]
    errors: list[IncidentRowError] = Field(description="The first 50 rejected rows")
