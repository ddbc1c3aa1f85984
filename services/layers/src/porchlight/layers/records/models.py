"""The record table: every layer's features in one model, keyed by its department's own id."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.layers.db import metadata

records = sa.Table(
    "records",
    metadata,
    sa.Column("record_id", sa.Uuid, primary_key=True),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("layer", sa.Text, nullable=False),
    #: The department system's own id: a record delivered again (any door) updates this row.
    sa.Column("external_id", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # open | closed (scheduled things: open until they end)
    #: GeoJSON geometry (Point, LineString, Polygon, Multi*). None only for a record its department
    #: placed by district alone (an incident file's "100 block of Elm St" row): counted, not mapped.
    sa.Column("geometry", JSONB),
    #: A point on the geometry (the point itself, or shapely's representative point), for cells,
    #: distances and the map.
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("cell", sa.Text),  # H3 cell of (lat, lon) at places.cells.RESOLUTION
    sa.Column("district", sa.Text),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),  # or a scheduled thing's start
    sa.Column("closed_at", sa.DateTime(timezone=True)),  # or a scheduled thing's end
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("attributes", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("source", sa.Text, nullable=False),  # kafka | open311 | file | http
    #: 1 when first stored, +1 each time a delivery changes it (events carry it: readers keep the highest).
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("department", "external_id", name="records_department_external_id"),
    sa.Index("records_layer_opened", "layer", "opened_at"),
    sa.Index("records_district_layer", "district", "layer", "opened_at"),
    sa.Index("records_cell", "cell"),
)


#: Cells where something the connection rules read changed (a record, an incident, a placed
#: concern), written in the transaction that changed it; the connections worker takes them (and
#: their neighbours) to re-evaluate only there. A table, not a clock: a long import that commits
#: late is never missed.
dirty_cells = sa.Table(
    "dirty_cells",
    metadata,
    sa.Column("cell", sa.Text, primary_key=True),
    #: True: incidents or concerns changed here, so records on nearby cells are re-evaluated too;
    #: False: only a record in this cell changed (its own connection, no one else's).
    sa.Column("spread", sa.Boolean, nullable=False, server_default=sa.false()),
    #: The start of the earliest transaction that marked it (PostgreSQL's now(), as the records'
    #: updated_at): a cell that is not ``spread`` needs only its records changed since re-evaluated,
    #: not every record that has ever been there.
    sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

#: The police department's crime incidents: the layer the connection rules and the risk terrain
#: count, and the one whose changes matter to the records around them.
INCIDENT_LAYER = "incident"

#: Department statuses that mean the record is finished (Open311's "closed" and the usual others).
CLOSED_WORDS = frozenset({"closed", "resolved", "done", "complete", "completed", "cancelled", "canceled", "fixed"})


def open_clause(now: Any = None) -> sa.ColumnElement[bool]:
    """Records still open at ``now`` (default: the database's now): status not a closed word and
    not closed yet (a scheduled thing is open until it ends). Mirrors ``service.is_open``."""
    return sa.and_(
        records.c.status.not_in(sorted(CLOSED_WORDS)),
        sa.or_(records.c.closed_at.is_(None), records.c.closed_at > (now if now is not None else sa.func.now())),
    )
