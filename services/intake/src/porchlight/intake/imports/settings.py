"""Settings of bulk imports (``PORCHLIGHT_INTAKE_IMPORT_*``), read when first needed, never at import.

Kept apart from ``IntakeSettings`` only because capabilities are built side by side; they can
move there as they are.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ImportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_INTAKE_IMPORT_", extra="ignore")

    #: Largest file accepted (413 above). It is also the upload route's body limit (instead of the
    #: kit's PORCHLIGHT_MAX_BODY_BYTES), plus room for the multipart envelope; the CLI has none.
    max_bytes: int = Field(default=50_000_000, ge=1)
    #: Files up to this size are validated inside the upload request (201 with the report);
    #: larger ones in the background (202; progress with GET).
    inline_max_bytes: int = Field(default=1_000_000, ge=0)
    #: Commits of up to this many rows run inside the request, as one transaction.
    inline_max_rows: int = Field(default=2_000, ge=0)
    #: Rows per batch: one transaction per batch when validating and committing.
    batch_rows: int = Field(default=2_000, ge=1)
    #: Size of the pieces the uploaded file is stored in.
    chunk_bytes: int = Field(default=512 * 1024, ge=1024)
    #: An import not committed within this many hours expires: its file and rows are deleted.
    expire_hours: int = Field(default=72, ge=1)
    #: A job's runner renews its claim each batch; a claim older than this is taken over.
    lease_seconds: int = Field(default=60, ge=5)
    #: Times without an offset are local times of this zone (a department's own clock).
    timezone: str = "America/New_York"
    #: Older records are refused (an Excel date of 1900 is a mistake, not history).
    max_age_days: int = Field(default=3650, ge=1)
