"""`porchlight dashboard rebuild`: the read models come back from the topics alone."""

from __future__ import annotations

import pytest
from dashboard.test_read_models import LAST_MONTH, all_applied, district_events, publish, use_city
from support import bearer, eventually, running, scalar

from porchlight.dashboard.projections.service import rebuild
from porchlight.kit.db import create_engine
from porchlight.kit.service import get_service

pytestmark = pytest.mark.integration


async def _execute(settings, sql: str, **params) -> None:
    import sqlalchemy as sa

    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql), params)
    finally:
        await engine.dispose()


async def test_rebuild_replays_every_topic_into_empty_read_models(settings, test_city):
    d = test_city.a
    url = f"/v1/districts/{d}/page?month={LAST_MONTH.label}"
    async with running("dashboard", settings) as (app, client):
        use_city(app, test_city)
        headers = bearer(settings, "supervisor")
        await publish(settings, district_events(d))

        async def projected() -> bool:
            page = (await client.get(url, headers=headers)).json()
            return all_applied(page)

        await eventually(projected, timeout_s=30)
        before = (await client.get(url, headers=headers)).json()
        # Damage the read models the way a bug would: only a replay from the topics repairs this.
        await _execute(settings, "UPDATE dashboard.contact_totals SET contacts = 999 WHERE district = :d", d=d)
        await _execute(settings, "DELETE FROM dashboard.notes WHERE district = :d", d=d)
        assert (await client.get(url, headers=headers)).json()["engagement"]["contacts"] == 999

        # The live consumer keeps running while the rebuild replays (they share the inbox).
        report = await rebuild(settings, get_service("dashboard"))
        assert report.records >= len(district_events(d))
        after = (await client.get(url, headers=headers)).json()
    assert after == before
    assert await scalar(settings, "SELECT count(*) FROM dashboard.notes WHERE district = :d", d=d) == 3
