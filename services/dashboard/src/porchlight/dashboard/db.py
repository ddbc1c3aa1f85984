"""Dashboard's schema and ORM base."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from porchlight.events import Outbox

metadata = sa.MetaData(schema="dashboard")
#: Dashboard's outbox: its events are written here inside the transaction that makes the change.
outbox = Outbox(metadata, source="/porchlight/dashboard")


class Base(DeclarativeBase):
    metadata = metadata
