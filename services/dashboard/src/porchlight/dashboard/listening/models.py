"""Positive contacts' residents reached per district, neighborhood and month (``contact.logged``
carries the neighborhood; the other contact counters are kept per unit and officer instead)."""

from __future__ import annotations

import sqlalchemy as sa

from porchlight.dashboard.db import metadata

contact_reach = sa.Table(
    "contact_reach",
    metadata,
    sa.Column("district", sa.Text, primary_key=True),
    sa.Column("neighborhood", sa.Text, primary_key=True),  # '' when the contact named none
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("contacts", sa.Integer, nullable=False),
    sa.Column("residents", sa.BigInteger, nullable=False),
)
