"""The analyzer outlives a database outage (issue 16).

It died when the database went away while it retried a failed batch note by note: the pending
ids were read outside any ``try`` and the error ended its loop. A dead background task is never
started again in standalone mode, so every note received after waited for analysis for good.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from support import database_of_its_own

from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.embedded import free_port
from porchlight.kit.migrations import migrate
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.analysis.repository import FAILED
from porchlight.synthesis.analysis.worker import Analyzer

pytestmark = pytest.mark.integration


class BrokenModel:
    """A model that fails on every note (its own fault, not the infrastructure's): the batch is
    then retried note by note, and each note is marked failed. ``on_failure`` runs at its first."""

    def __init__(self, on_failure: Any) -> None:
        self.calls = 0
        self.on_failure = on_failure

    async def current(self, session: object) -> object:
        self.calls += 1
        if self.calls == 1:
            self.on_failure()
        raise RuntimeError("the model cannot label this")


@pytest.mark.timeout(120)
async def test_the_analyzer_waits_out_a_database_outage_and_carries_on(settings: KitSettings) -> None:
    # A database of this test's own: the analyzer takes every pending note it finds.
    async with database_of_its_own(settings, "analyzer") as (url, up):
        await _outage(url, up)


async def _outage(url: Any, up: Any) -> None:
    # PostgreSQL gone: nothing listens where it was, as after a kill -9 before its restart.
    gone = free_port()
    down_url = url.set(port=gone)
    if "port" in url.query:  # the embedded PostgreSQL: a Unix socket named by the port
        down_url = down_url.update_query_dict({"port": str(gone)})
    down = create_engine(down_url.render_as_string(hide_password=False), pool_size=1)
    try:
        await migrate(up, get_service("synthesis"))
        note_id = uuid.uuid4()
        now = datetime.now(UTC)
        async with up.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO synthesis.notes (note_id, revision, district, concerns, text, document, "
                    "submitted_at, occurred_at) VALUES (:id, 1, 'ZZ-OUTAGE', '[]', '', '', :now, :now)"
                ),
                {"id": note_id, "now": now},
            )

        outage = asyncio.Event()
        up_sessions, down_sessions = session_factory(up), session_factory(down)

        def sessions() -> Any:
            return (down_sessions if outage.is_set() else up_sessions)()

        # The outage begins as the first batch fails, so the note-by-note retry meets it.
        model = BrokenModel(on_failure=outage.set)
        stopping = asyncio.Event()
        analyzer = Analyzer(model, loops=1)  # type: ignore[arg-type]
        task = asyncio.create_task(analyzer.run(sessions, stopping.is_set))  # type: ignore[arg-type]
        try:
            await asyncio.sleep(1.5)  # the outage lasts a second and a half
            assert not task.done(), f"the analyzer died in the outage: {task.exception()!r}"
            outage.clear()
            state = None
            for _ in range(150):
                async with up.connect() as conn:
                    state = (
                        await conn.execute(
                            sa.text("SELECT model_version, analyzed_at FROM synthesis.notes WHERE note_id = :id"),
                            {"id": note_id},
                        )
                    ).one()
                if state.model_version == FAILED or task.done():
                    break
                await asyncio.sleep(0.1)
            assert not task.done(), f"the analyzer died: {task.exception()!r}"
            # Taken up again after the outage: the note is done with (here: marked failed, the
            # model being broken), not left pending.
            assert state is not None and state.model_version == FAILED and state.analyzed_at is not None, state
            assert model.calls >= 2
        finally:
            stopping.set()
            await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)
    finally:
        await down.dispose()
