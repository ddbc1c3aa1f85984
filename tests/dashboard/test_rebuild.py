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
        # force: the session's database has applied the events of the tests' own brokers too, so
        # its inbox holds more than this broker does (the refusal: test_rebuild.py's last test).
        report = await rebuild(settings, get_service("dashboard"), force=True)
        assert report.records >= len(district_events(d))
        after = (await client.get(url, headers=headers)).json()
    assert after == before
    assert await scalar(settings, "SELECT count(*) FROM dashboard.notes WHERE district = :d", d=d) == 3


async def test_rebuild_refuses_a_broker_that_holds_less_than_the_applied_history(own_broker):
    # The issue: after a restart the embedded broker is empty, and a rebuild took the dashboard
    # from 102,455 notes to 6 without a word. Now it refuses, and changes nothing.
    import uuid

    from porchlight.dashboard.projections.service import RebuildRefused

    _, own = own_broker  # an empty broker; the database is the session's, with the dashboard's history
    group = get_service("dashboard").consumers[0].group
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for event_id in ids:
        await _execute(
            own,
            "INSERT INTO dashboard.inbox (consumer, source, event_id, event_type) VALUES (:c, '/tests', :e, 't')",
            c=group,
            e=event_id,
        )
    notes_before = await scalar(own, "SELECT count(*) FROM dashboard.notes")
    try:
        with pytest.raises(RebuildRefused, match=r"holds 0 events .* has applied \d+"):
            await rebuild(own, get_service("dashboard"))
        assert await scalar(own, "SELECT count(*) FROM dashboard.notes") == notes_before
        assert await scalar(own, "SELECT count(*) FROM dashboard.inbox WHERE event_id = ANY(:i)", i=ids) == 3
    finally:
        await _execute(own, "DELETE FROM dashboard.inbox WHERE event_id = ANY(:i)", i=ids)
