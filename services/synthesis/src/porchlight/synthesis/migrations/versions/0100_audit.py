"""The audit trail: an append-only, hash-chained `audit` table (docs/adr/0013-audit-trail.md).

A branch of its own from the first revision (``migrate`` applies every head).

Revision ID: 0100_audit
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from porchlight.kit.audittrail import create_audit_table

revision: str = "0100_audit"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
SCHEMA = "synthesis"


def upgrade() -> None:
    create_audit_table(op.get_bind(), SCHEMA)


def downgrade() -> None:
    op.execute(sa.text(f'DROP TABLE "{SCHEMA}".audit'))
    op.execute(sa.text(f'DROP FUNCTION "{SCHEMA}".audit_refuse_change()'))
