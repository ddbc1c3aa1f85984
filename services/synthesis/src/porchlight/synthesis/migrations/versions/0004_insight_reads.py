"""Insights as a read model: built insights kept per place and period, keyed on the data's version.

``insight_changes`` is the version: one row per district a statement changed (weight 1), written by
triggers on every table an insight is built from, in the writer's own transaction — whoever the
writer is (the consumer, the analyzer, a correction, an erasure, a re-analysis, a promoted
cluster, code not written yet). A district's version is the sum of its rows' weights plus those of
``'*'`` (changes that concern every district: taxonomy and model versions, corrections). Rows are
only ever added, and compaction replaces a district's rows by one row of the same total weight, so
the sum grows with every committed change and with nothing else. Nobody updates a counter row:
writers never wait on each other, whatever order they touch districts in (no lock, no deadlock).

``insight_reads`` holds the built insight (and the city view) as served, with and without the
residents' words, and the version it was built at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "synthesis"
#: Tables whose rows carry a district; a change counts for the districts of the rows before and after.
BY_DISTRICT = ("notes", "concerns")
#: Tables every insight depends on (labels, the learned model, the corrections counts may be adjusted by).
EVERYWHERE = ("taxonomy_versions", "model_versions", "corrections")

_FUNCTION = f"""
CREATE FUNCTION {SCHEMA}.insight_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'everywhere' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM 1 FROM changed_old LIMIT 1;
        ELSE
            PERFORM 1 FROM changed_new LIMIT 1;
        END IF;
        IF FOUND THEN
            INSERT INTO {SCHEMA}.insight_changes (district) VALUES ('*');
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO {SCHEMA}.insight_changes (district) SELECT DISTINCT district FROM changed_new;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO {SCHEMA}.insight_changes (district)
            SELECT district FROM changed_old UNION SELECT district FROM changed_new;
    ELSE
        INSERT INTO {SCHEMA}.insight_changes (district) SELECT DISTINCT district FROM changed_old;
    END IF;
    RETURN NULL;
END
$$
"""


def _triggers(table: str, scope: str) -> list[str]:
    # One trigger per event: a trigger with transition tables may only have one.
    out = []
    for event, referencing in (
        ("INSERT", "NEW TABLE AS changed_new"),
        ("UPDATE", "OLD TABLE AS changed_old NEW TABLE AS changed_new"),
        ("DELETE", "OLD TABLE AS changed_old"),
    ):
        out.append(
            f"CREATE TRIGGER insight_changed_{event.lower()} AFTER {event} ON {SCHEMA}.{table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.insight_changed('{scope}')"
        )
    return out


def upgrade() -> None:
    op.create_table(
        "insight_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("weight", sa.BigInteger, nullable=False, server_default="1"),
        schema=SCHEMA,
    )
    op.create_index(
        "insight_changes_district", "insight_changes", ["district"], postgresql_include=["weight"], schema=SCHEMA
    )
    op.create_table(
        "insight_reads",
        # 'place' (an Insight) or 'city' (the CityInsight); '' for a place part not given.
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("emerging", sa.Boolean, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        # The JSON served as is: with the residents' words, and without (readers of other districts).
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_withheld", sa.Text, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("kind", "district", "neighborhood", "period_start", "period_end", "emerging"),
        schema=SCHEMA,
    )
    op.execute(_FUNCTION)
    for table in BY_DISTRICT:
        for statement in _triggers(table, "district"):
            op.execute(statement)
    for table in EVERYWHERE:
        for statement in _triggers(table, "everywhere"):
            op.execute(statement)


def downgrade() -> None:
    for table in (*BY_DISTRICT, *EVERYWHERE):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER insight_changed_{event} ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION {SCHEMA}.insight_changed()")
    op.drop_table("insight_reads", schema=SCHEMA)
    op.drop_table("insight_changes", schema=SCHEMA)
