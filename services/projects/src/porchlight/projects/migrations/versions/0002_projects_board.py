"""Issue 5: departments and teams, priorities' concerns and outcome, micro-projects, tasks, moves, wins.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"

#: The departments most cities have; a city adds its own (POST /v1/departments).
DEFAULT_DEPARTMENTS = [
    ("police", "Police", "police"),
    ("public-works", "Public Works", "public_works"),
    ("parks", "Parks and Recreation", "parks"),
    ("schools", "Schools", "schools"),
    ("health", "Public Health", "health"),
    ("code-enforcement", "Code Enforcement", "code_enforcement"),
    ("social-services", "Social Services", "social_services"),
]


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    departments = op.create_table(
        "departments",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        schema=SCHEMA,
    )
    assert departments is not None
    op.bulk_insert(departments, [{"code": c, "name": n, "kind": k} for c, n, k in DEFAULT_DEPARTMENTS])
    op.create_table(
        "teams",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("departments", ARRAY(sa.Text), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        schema=SCHEMA,
    )
    for name, type_ in [
        ("neighborhood", sa.Text),
        ("outcome_measure", sa.Text),
        ("outcome_before", sa.Float),
        ("outcome_after", sa.Float),
        ("enforcement_justification", sa.Text),
        ("created_by", sa.Text),
    ]:
        op.add_column("priorities", sa.Column(name, type_), schema=SCHEMA)
    op.add_column("priorities", sa.Column("topics", ARRAY(sa.Text), nullable=False, server_default="{}"), schema=SCHEMA)
    op.add_column("priorities", sa.Column("concerns", JSONB, nullable=False, server_default="[]"), schema=SCHEMA)
    op.create_index("ix_priorities_district", "priorities", ["district"], schema=SCHEMA)

    op.create_table(
        "projects",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("priority_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.priorities.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("place", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("department", sa.Text, sa.ForeignKey(f"{SCHEMA}.departments.code"), nullable=False),
        sa.Column("team", sa.Text, sa.ForeignKey(f"{SCHEMA}.teams.code")),
        sa.Column("remedy_kind", sa.Text, nullable=False),
        sa.Column("justification", sa.Text),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("blocked_reason", sa.Text),
        sa.Column("awaiting_confirmation", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("owner", sa.Text),
        sa.Column("win_text", sa.Text),
        sa.Column("tasks_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tasks_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("starts_on <= due_on", name="ck_projects_dates_in_order"),
        sa.CheckConstraint(
            "status IN ('proposed', 'planned', 'in_progress', 'done', 'blocked')", name="ck_projects_status"
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_projects_priority_id", "projects", ["priority_id"], schema=SCHEMA)
    op.create_index("ix_projects_district", "projects", ["district"], schema=SCHEMA)
    op.create_index("ix_projects_department", "projects", ["department"], schema=SCHEMA)
    op.create_table(
        "project_moves",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("project_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.projects.id"), nullable=False),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("moved_by", sa.Text, nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        schema=SCHEMA,
    )
    op.create_index("ix_project_moves_project_id", "project_moves", ["project_id"], schema=SCHEMA)
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("project_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.projects.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("assignee", sa.Text),
        sa.Column("department", sa.Text, sa.ForeignKey(f"{SCHEMA}.departments.code"), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("completed_by", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        schema=SCHEMA,
    )
    op.create_index("ix_tasks_project_id", "tasks", ["project_id"], schema=SCHEMA)
    op.create_table(
        "wins",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("project_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.projects.id"), nullable=False, unique=True),
        sa.Column("priority_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.priorities.id"), nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("place", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("topics", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("concerns", JSONB, nullable=False, server_default="[]"),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("approved_by", sa.Text),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("ix_wins_priority_id", "wins", ["priority_id"], schema=SCHEMA)
    op.create_index("ix_wins_district", "wins", ["district"], schema=SCHEMA)


def downgrade() -> None:
    for table in ("wins", "tasks", "project_moves", "projects", "teams", "departments"):
        op.drop_table(table, schema=SCHEMA)
    op.drop_index("ix_priorities_district", "priorities", schema=SCHEMA)
    for name in (
        "concerns",
        "topics",
        "created_by",
        "enforcement_justification",
        "outcome_after",
        "outcome_before",
        "outcome_measure",
        "neighborhood",
    ):
        op.drop_column("priorities", name, schema=SCHEMA)
