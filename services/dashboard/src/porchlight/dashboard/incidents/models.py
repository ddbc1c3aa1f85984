"""Crime incident counts: a read model of layers' ``record.accepted`` events of layer ``incident``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from porchlight.dashboard.db import metadata

#: The latest version of each incident record layers announced (``record.accepted``, layer
#: ``incident``): what the counts below are made of, so a changed or re-delivered record moves its
#: count instead of adding one.
incident_records = sa.Table(
    "incident_records",
    metadata,
    sa.Column("record_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("district", sa.Text),  # None: not counted in any district
    sa.Column("month", sa.Date, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("nibrs_code", sa.Text),
)

#: Counts per district, month and category, kept from ``incident_records`` (the pages read these,
#: never the 100,000 rows of a year; incidents without a district are not counted in any).
incident_counts = sa.Table(
    "incident_counts",
    metadata,
    sa.Column("district", sa.Text, primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("category", sa.Text, primary_key=True),
    sa.Column("nibrs_code", sa.Text),
    sa.Column("n", sa.Integer, nullable=False),
)
