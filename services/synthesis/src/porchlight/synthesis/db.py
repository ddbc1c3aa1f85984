"""Synthesis's schema and ORM base."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from porchlight.events import Outbox

metadata = sa.MetaData(schema="synthesis")
#: Synthesis's outbox: its events are written here inside the transaction that makes the change.
outbox = Outbox(metadata, source="/porchlight/synthesis")


class Base(DeclarativeBase):
    metadata = metadata
