"""Residents' concerns with their place and topic, and each note's sentiment (from events only)."""

from __future__ import annotations

import sqlalchemy as sa

from porchlight.layers.db import metadata

#: One row per concern of a note's latest revision, where the host placed it on the map.
note_concerns = sa.Table(
    "note_concerns",
    metadata,
    sa.Column("note_id", sa.Uuid, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # redacted by intake before it left
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    #: synthesis' topic (note.analyzed), else the host's own pick on the form; None until known.
    sa.Column("topic", sa.Text),
    sa.Index("note_concerns_place", "lat", "lon"),
    sa.Index("note_concerns_topic", "topic", "occurred_at"),
)

#: Each note's sentiment as synthesis scored it, at the note's place (its first placed concern).
note_moods = sa.Table(
    "note_moods",
    metadata,
    sa.Column("note_id", sa.Uuid, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sentiment_score", sa.Float, nullable=False),  # -1 (negative) .. 1 (positive)
)

#: synthesis' topic per concern text of a note: kept apart because ``note.analyzed`` (its own
#: topic) may be read before the ``note.submitted`` it analyses; each side applies the other.
note_topics = sa.Table(
    "note_topics",
    metadata,
    sa.Column("note_id", sa.Uuid, primary_key=True),
    sa.Column("text", sa.Text, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
)
