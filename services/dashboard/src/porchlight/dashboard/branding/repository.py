"""All SQL of the branding (one row, scope 'city')."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.branding.models import branding
from porchlight.kit.db import upsert

SCOPE = "city"


async def current(session: AsyncSession) -> Any:
    cols = [c for c in branding.c if c.name != "logo"]
    return (await session.execute(sa.select(*cols).where(branding.c.scope == SCOPE))).first()


async def save(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(upsert(branding, {"scope": SCOPE, **values}, key=["scope"]))


async def logo(session: AsyncSession) -> Any:
    stmt = sa.select(branding.c.logo, branding.c.logo_etag).where(branding.c.scope == SCOPE)
    return (await session.execute(stmt)).first()
