"""All SQL about places."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.places.models import Place, PlacesVersion


class PlaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def version(self) -> int:
        """The cheap check every resolve makes: one row, one column."""
        value = await self.session.scalar(sa.select(PlacesVersion.version).where(PlacesVersion.id == 1))
        return int(value or 0)

    async def all(self, kind: str | None = None) -> Sequence[Place]:
        query = sa.select(Place).order_by(Place.kind, Place.code)
        if kind is not None:
            query = query.where(Place.kind == kind)
        return (await self.session.scalars(query)).all()

    async def count(self) -> int:
        return int(await self.session.scalar(sa.select(sa.func.count()).select_from(Place)) or 0)

    async def lock(self) -> None:
        """Hold the version row until the transaction ends (serialises loads across replicas)."""
        await self.session.execute(sa.select(PlacesVersion.id).where(PlacesVersion.id == 1).with_for_update())

    async def replace_all(self, rows: Sequence[dict[str, Any]]) -> int:
        """Swap the whole city inside the caller's transaction; returns the new version.

        The version row is updated first: its row lock serialises concurrent loads, so two
        loads cannot interleave their deletes and inserts.
        """
        version = await self.session.scalar(
            sa.update(PlacesVersion)
            .where(PlacesVersion.id == 1)
            # From a sequence, not version + 1: a rolled-back load's number is never reused, so
            # an index cached from uncommitted rows can never match a later committed version.
            .values(version=sa.func.nextval("intake.places_version_seq"), updated_at=sa.func.now())
            .returning(PlacesVersion.version)
        )
        # Core statements, not ORM objects: old rows may sit in the session's identity map.
        await self.session.execute(sa.delete(Place).execution_options(synchronize_session=False))
        # Districts before neighborhoods: the parent foreign key is checked per statement.
        for kind in ("district", "neighborhood"):
            batch = [r for r in rows if r["kind"] == kind]
            if batch:
                await self.session.execute(sa.insert(Place), batch)
        return int(version or 0)
