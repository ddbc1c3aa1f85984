"""Intake's schema and ORM base: every intake table lives in the ``intake`` schema."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from porchlight.events import Outbox

metadata = sa.MetaData(schema="intake")
#: Intake's outbox: its events are written here inside the transaction that makes the change.
outbox = Outbox(metadata, source="/porchlight/intake")


class Base(DeclarativeBase):
    metadata = metadata
