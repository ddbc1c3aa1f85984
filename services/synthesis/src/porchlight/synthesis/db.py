"""Synthesis's schema and ORM base."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

metadata = sa.MetaData(schema="synthesis")


class Base(DeclarativeBase):
    metadata = metadata
