"""Layers' schema and ORM base."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from porchlight.events import Outbox

metadata = sa.MetaData(schema="layers")
#: Layers' outbox: its events are written here inside the transaction that makes the change.
outbox = Outbox(metadata, source="/porchlight/layers")


class Base(DeclarativeBase):
    metadata = metadata
