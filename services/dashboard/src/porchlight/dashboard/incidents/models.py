"""Imported crime incidents (the dashboard's own data: imported, not projected from events)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from porchlight.dashboard.db import metadata

incidents = sa.Table(
    "incidents",
    metadata,
    #: The record system's incident id, or a digest of the row when the file has none: a file
    #: imported twice adds nothing the second time.
    sa.Column("incident_id", sa.Text, primary_key=True),
    sa.Column("offense_code", sa.Text, nullable=False),  # as the city wrote it
    sa.Column("nibrs_code", sa.Text),  # NIBRS offense code, when known or mapped
    sa.Column("category", sa.Text, nullable=False),  # what people read: "Motor vehicle theft"
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("month", sa.Date, nullable=False),  # first day of the month (UTC), for grouping
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("block", sa.Text),
    sa.Column("district", sa.Text),  # None: the place is outside the city or unknown
    sa.Column("import_id", UUID(as_uuid=True), nullable=False),
    sa.Index("incidents_district_month", "district", "month", "category"),
)

#: Counts per district, month and category, kept by the import (the pages read these, never the
#: 100,000 rows of a year; incidents without a district are not counted in any).
incident_counts = sa.Table(
    "incident_counts",
    metadata,
    sa.Column("district", sa.Text, primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("category", sa.Text, primary_key=True),
    sa.Column("nibrs_code", sa.Text),
    sa.Column("n", sa.Integer, nullable=False),
)

imports = sa.Table(
    "incident_imports",
    metadata,
    sa.Column("import_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("imported", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("unlocated", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)
