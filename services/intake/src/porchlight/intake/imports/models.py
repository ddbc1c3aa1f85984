"""Import jobs as stored: the job, its file (in pieces), its validated rows and its issues.

The file lives in the database, not on a replica's disk, so whichever replica picks a job up
can run it. Validated rows are staged (``import_rows``) in the exact form they are inserted
with, so a commit inserts what the dry run showed; staged rows leave as they are committed.
Issues hold row numbers, column names and reasons, never cell values.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base

KINDS = ("notes", "contacts")
STATUSES = ("queued", "validating", "validated", "importing", "done", "failed", "expired")
#: Statuses a runner works on (a job in one of them with an expired lease is resumed).
ACTIVE = ("queued", "validating", "importing")
CHOICES = ("all", "valid_only")


def _now() -> datetime:
    return datetime.now(UTC)


class ImportJob(Base):
    __tablename__ = "imports"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, default="queued")
    filename: Mapped[str] = mapped_column(sa.Text)
    file_format: Mapped[str] = mapped_column(sa.Text)  # csv | xlsx
    encoding: Mapped[str | None] = mapped_column(sa.Text)
    delimiter: Mapped[str | None] = mapped_column(sa.Text)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    #: What the uploader chose: mapping, date_format, timezone, sheet.
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: How the header was read: header_row, mapped columns, unknown columns.
    columns: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_by: Mapped[str] = mapped_column(sa.Text)
    rows_total: Mapped[int | None] = mapped_column(sa.Integer)  # known once validated
    rows_estimated: Mapped[int | None] = mapped_column(sa.Integer)
    rows_seen: Mapped[int] = mapped_column(sa.Integer, default=0)
    blank_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    bytes_seen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    valid: Mapped[int] = mapped_column(sa.Integer, default=0)
    invalid: Mapped[int] = mapped_column(sa.Integer, default=0)
    choice: Mapped[str | None] = mapped_column(sa.Text)  # all | valid_only, once committed
    #: The last row whose batch committed: a resumed commit starts after it.
    committed_row: Mapped[int] = mapped_column(sa.Integer, default=0)
    committed: Mapped[int] = mapped_column(sa.Integer, default=0)  # rows through the commit
    created: Mapped[int] = mapped_column(sa.Integer, default=0)  # of which new
    existing: Mapped[int] = mapped_column(sa.Integer, default=0)  # of which already there, same content
    conflicts: Mapped[int] = mapped_column(sa.Integer, default=0)  # of which refused at commit
    failure: Mapped[str | None] = mapped_column(sa.Text)
    lease_owner: Mapped[str | None] = mapped_column(sa.Text)
    lease_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set in Python too: a report is built from the object right after its insert.
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, server_default=sa.func.now())
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class ImportChunk(Base):
    """One piece of an uploaded file, in order."""

    __tablename__ = "import_chunks"

    import_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("intake.imports.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class ImportRow(Base):
    """A validated row, staged until committed: ``payload`` is what the commit inserts."""

    __tablename__ = "import_rows"
    __table_args__ = (sa.UniqueConstraint("import_id", "entity_id", name="uq_import_rows_entity"),)

    import_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("intake.imports.id", ondelete="CASCADE"), primary_key=True
    )
    row: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    #: The id the note or contact gets: from the file's id column, else from (import, row).
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    fingerprint: Mapped[str] = mapped_column(sa.Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ImportIssue(Base):
    """Why a row is not imported (or a file-level note): row, column, field, reason — no values."""

    __tablename__ = "import_issues"
    __table_args__ = (sa.Index("ix_import_issues_import_row", "import_id", "row", "id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    import_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("intake.imports.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(sa.Integer)
    column: Mapped[str | None] = mapped_column(sa.Text)
    field: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    phase: Mapped[str] = mapped_column(sa.Text, default="validate")  # validate | commit | warning
