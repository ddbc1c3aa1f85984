"""Import jobs as the API takes and returns them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["notes", "contacts"]
DateFormat = Literal["mdy", "dmy", "ymd"]
Status = Literal["queued", "validating", "validated", "importing", "done", "failed", "expired"]


class ImportOptions(BaseModel):
    """How to read the file (the upload's form fields, or the CLI's options)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "contacts",
                    "mapping": {"Mins": "minutes", "Internal ref": None},
                    "date_format": "mdy",
                    "timezone": "America/New_York",
                }
            ]
        }
    )

    kind: Kind
    mapping: dict[str, str | None] = Field(
        default_factory=dict, description='Column header -> field ("Mins": "minutes"); null ignores the column'
    )
    date_format: DateFormat = Field(
        default="mdy", description="Order of numeric dates: mdy (US, default), dmy or ymd; ISO dates always work"
    )
    timezone: str | None = Field(default=None, description="IANA zone of times without an offset")
    sheet: str | None = Field(default=None, description="XLSX: the sheet to read (default: the first)")

    @field_validator("mapping")
    @classmethod
    def _printable_mapping(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for k, v in value.items():
            _printable(k)
            if v is not None:
                _printable(v)
        return value

    @field_validator("timezone", "sheet")
    @classmethod
    def _printable_text(cls, value: str | None) -> str | None:
        return None if value is None else _printable(value)


def _printable(text: str) -> str:
    # Stored with the job (PostgreSQL refuses NUL); a header has no control characters either.
    if len(text) > 200 or any(ord(c) < 32 for c in text):
        raise ValueError("at most 200 characters, no control characters")
    return text


class RowIssue(BaseModel):
    """Why a row is not imported. Never the cell's value: reports are shared and exported."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"row": 14, "column": "Mins", "field": "minutes", "reason": "not a number of minutes"}]
        }
    )

    row: int = Field(description="Row number as a spreadsheet shows it (the header row counts)")
    column: str | None = Field(description="The file's column header")
    field: str = Field(description="The field the column was read as")
    reason: str


class ColumnsOut(BaseModel):
    """How the file's columns were read: the header row, the mapping, the rest."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "header_row": 1,
                    "mapped": {"Date": "date", "Badge": "officer", "Mins": "minutes"},
                    "unknown": ["Internal ref"],
                    "ignored": [],
                }
            ]
        }
    )

    header_row: int
    mapped: dict[str, str] = Field(description="Header -> field")
    unknown: list[str] = Field(description="Columns not read (no field recognised): reported, not fatal")
    ignored: list[str] = Field(description="Columns the mapping said to ignore")


class CommitOut(BaseModel):
    """What a commit has done so far: the choice, and rows created, existing and refused."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "choice": "valid_only",
                    "committed": 1198,
                    "created": 1190,
                    "existing": 8,
                    "conflicts": 0,
                    "last_row": 1201,
                }
            ]
        }
    )

    choice: Literal["all", "valid_only"]
    committed: int = Field(description="Rows through the commit so far")
    created: int = Field(description="Of which are new notes or contacts")
    existing: int = Field(description="Of which were already in intake with the same content (counted once)")
    conflicts: int = Field(description="Of which were refused: another record has their id")
    last_row: int = Field(description="The last row committed; a resumed commit goes on after it")


class Progress(BaseModel):
    """How far an import's current phase is."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"phase": "finished", "done": 1200, "total": 1200, "fraction": 1.0}]}
    )

    phase: Literal["validating", "importing", "finished"]
    done: int = Field(description="Rows done in this phase")
    total: int | None = Field(description="Rows expected in this phase (estimated from bytes while validating)")
    fraction: float = Field(ge=0, le=1)


class ImportReport(BaseModel):
    """An import job: status, counts, progress, columns and its first issues."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "import_id": "3f1c9a52-8d0e-4b7a-9c61-2a5e7f0d4b18",
                    "kind": "contacts",
                    "status": "done",
                    "filename": "contacts-2025.csv",
                    "file_format": "csv",
                    "encoding": "utf-8",
                    "delimiter": ",",
                    "size_bytes": 182344,
                    "rows": 1200,
                    "blank_rows": 2,
                    "valid": 1198,
                    "invalid": 2,
                    "progress": {"phase": "finished", "done": 1200, "total": 1200, "fraction": 1.0},
                    "columns": {
                        "header_row": 1,
                        "mapped": {"Date": "date", "Badge": "officer", "Mins": "minutes"},
                        "unknown": ["Internal ref"],
                        "ignored": [],
                    },
                    "errors": [{"row": 14, "column": "Mins", "field": "minutes", "reason": "not a number of minutes"}],
                    "warnings": [
                        {
                            "row": 9,
                            "column": "Notes",
                            "field": "note",
                            "reason": "starts like a spreadsheet formula (=, +, -, @): imported as text, quoted "
                            "with ' in exports",
                        }
                    ],
                    "errors_url": "/v1/imports/3f1c9a52-8d0e-4b7a-9c61-2a5e7f0d4b18/errors.csv",
                    "commit": {
                        "choice": "valid_only",
                        "committed": 1198,
                        "created": 1190,
                        "existing": 8,
                        "conflicts": 0,
                        "last_row": 1201,
                    },
                    "failure": None,
                    "created_at": "2026-03-14T18:30:00Z",
                    "updated_at": "2026-03-14T18:30:00Z",
                    "expires_at": "2026-03-17T18:30:00Z",
                }
            ]
        }
    )

    import_id: uuid.UUID
    kind: Kind
    status: Status
    filename: str
    file_format: Literal["csv", "xlsx"]
    encoding: str | None
    delimiter: str | None
    size_bytes: int
    rows: int = Field(description="Data rows read so far (blank rows not counted)")
    blank_rows: int
    valid: int
    invalid: int
    progress: Progress
    columns: ColumnsOut
    errors: list[RowIssue] = Field(description="The first 100 issues, in row order; errors_url has them all")
    warnings: list[RowIssue] = Field(
        default_factory=list,
        description="The first 100 cells worth a look that do not stop their row: text a spreadsheet would run "
        "as a formula (=, +, -, @) is imported as text and quoted with ' in every export",
    )
    errors_url: str
    commit: CommitOut | None = None
    failure: str | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime


class CommitIn(BaseModel):
    """``all``: only when no row is invalid. ``valid_only``: the explicit choice to leave bad rows out."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"rows": "valid_only"}]})

    rows: Literal["all", "valid_only"]
