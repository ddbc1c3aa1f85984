"""What a file import answers: its counts and the refused rows by line and field."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RowError(BaseModel):
    """Why one row was refused."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"row": 14, "field": "point", "message": "outside the city"}]}
    )

    row: int = Field(description="The row's line (the header is line 1; GeoJSON: the feature's number)")
    field: str
    message: str


class ImportReportOut(BaseModel):
    """A file import: rows read, records created, updated (a new version), unchanged, refused."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rows": 19591,
                    "created": 19105,
                    "updated": 0,
                    "unchanged": 0,
                    "refused": 486,
                    "by_layer": {"street_light_outage": 7780, "graffiti": 5571},
                    "errors": [{"row": 14, "field": "point", "message": "outside the city"}],
                    "dry_run": False,
                }
            ]
        }
    )

    rows: int
    created: int
    updated: int
    unchanged: int
    refused: int
    by_layer: dict[str, int] = Field(description="Records accepted per layer")
    errors: list[RowError] = Field(description="The first 50 refused rows' reasons")
    dry_run: bool = Field(description="True: checked only, nothing written")
