"""Bulk imports (issue 3): jobs, their files, staged rows and per-row issues.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25

An import's file is kept in ``import_chunks`` (pieces of bytea) rather than on a replica's disk,
so any replica can resume a job; everything of a job goes with it (ON DELETE CASCADE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "intake"
STATUSES = ("queued", "validating", "validated", "importing", "done", "failed", "expired")


def _in(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    jobs = f"{SCHEMA}.imports.id"
    op.create_table(
        "imports",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("file_format", sa.Text, nullable=False),
        sa.Column("encoding", sa.Text),
        sa.Column("delimiter", sa.Text),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("options", JSONB, nullable=False, server_default="{}"),
        sa.Column("columns", JSONB, nullable=False, server_default="{}"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("rows_total", sa.Integer),
        sa.Column("rows_estimated", sa.Integer),
        sa.Column("rows_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("blank_rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("bytes_seen", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("valid", sa.Integer, nullable=False, server_default="0"),
        sa.Column("invalid", sa.Integer, nullable=False, server_default="0"),
        sa.Column("choice", sa.Text),
        sa.Column("committed_row", sa.Integer, nullable=False, server_default="0"),
        sa.Column("committed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.Integer, nullable=False, server_default="0"),
        sa.Column("existing", sa.Integer, nullable=False, server_default="0"),
        sa.Column("conflicts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failure", sa.Text),
        sa.Column("lease_owner", sa.Text),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('notes', 'contacts')", name="ck_imports_kind"),
        sa.CheckConstraint(f"status IN ({_in(STATUSES)})", name="ck_imports_status"),
        sa.CheckConstraint("file_format IN ('csv', 'xlsx')", name="ck_imports_format"),
        sa.CheckConstraint("choice IS NULL OR choice IN ('all', 'valid_only')", name="ck_imports_choice"),
        schema=SCHEMA,
    )
    # Runners look for active jobs whose lease ran out; the sweep looks for expired ones.
    op.create_index("ix_imports_status_lease", "imports", ["status", "lease_until"], schema=SCHEMA)
    op.create_index("ix_imports_expires", "imports", ["expires_at"], schema=SCHEMA)
    op.create_table(
        "import_chunks",
        sa.Column("import_id", sa.Uuid, sa.ForeignKey(jobs, ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "import_rows",
        sa.Column("import_id", sa.Uuid, sa.ForeignKey(jobs, ondelete="CASCADE"), primary_key=True),
        sa.Column("row", sa.Integer, primary_key=True),
        sa.Column("entity_id", sa.Uuid, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.UniqueConstraint("import_id", "entity_id", name="uq_import_rows_entity"),
        schema=SCHEMA,
    )
    op.create_table(
        "import_issues",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("import_id", sa.Uuid, sa.ForeignKey(jobs, ondelete="CASCADE"), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("column", sa.Text),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("phase", sa.Text, nullable=False, server_default="validate"),
        sa.CheckConstraint("phase IN ('validate', 'commit')", name="ck_import_issues_phase"),
        schema=SCHEMA,
    )
    op.create_index("ix_import_issues_import_row", "import_issues", ["import_id", "row", "id"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("import_issues", "import_rows", "import_chunks", "imports"):
        op.drop_table(table, schema=SCHEMA)
