"""Import issues may be warnings: cells worth a look that do not stop their row (issue 15).

Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is imported as text and
quoted in every export; the preview lists such cells as ``warning`` issues.

Revision ID: 0006_import_warnings
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_import_warnings"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    op.drop_constraint("ck_import_issues_phase", "import_issues", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        "ck_import_issues_phase", "import_issues", "phase IN ('validate', 'commit', 'warning')", schema=SCHEMA
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.import_issues WHERE phase = 'warning'")
    op.drop_constraint("ck_import_issues_phase", "import_issues", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        "ck_import_issues_phase", "import_issues", "phase IN ('validate', 'commit')", schema=SCHEMA
    )
