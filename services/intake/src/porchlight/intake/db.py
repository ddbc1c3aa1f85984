"""Intake's schema and ORM base: every intake table lives in the ``intake`` schema."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

metadata = sa.MetaData(schema="intake")


class Base(DeclarativeBase):
    metadata = metadata
