"""The service fits the topics' shares to the concerns it received (issue 17, first-day quality):
the analyzer, idle, makes a model version whose row holds the shares; every replica rebuilds that
model; a later version keeps them while the taxonomy is the same. Real PostgreSQL (a database
of this test's own: the count of received concerns is what decides) and the real model."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from support import database_of_its_own

from porchlight.kit.db import session_factory
from porchlight.kit.migrations import migrate
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.analysis.worker import Analyzer
from porchlight.synthesis.learning.service import ModelHolder, adapt_to_received, new_model_version
from porchlight.synthesis.settings import SynthesisSettings

pytestmark = pytest.mark.integration

LIGHTS = [f"the streetlight on {n}th street has been out for a week" for n in range(1, 91)]
HOLES = [f"a deep pothole on {n}th avenue damaged my tire" for n in range(1, 31)]


@pytest.mark.timeout(240)
async def test_the_analyzer_fits_the_topic_shares_to_what_it_received(settings: KitSettings) -> None:
    async with database_of_its_own(settings, "shares") as (_, engine):
        await migrate(engine, get_service("synthesis"))
        now = datetime.now(UTC)
        async with engine.begin() as conn:
            for text in LIGHTS + HOLES:
                await conn.execute(
                    sa.text(
                        "INSERT INTO synthesis.notes (note_id, revision, district, concerns, text, document, "
                        "submitted_at, occurred_at) VALUES (:id, 1, 'ZZ-SHARES', :c, '', '', :now, :now)"
                    ),
                    {"id": uuid.uuid4(), "c": json.dumps([text]), "now": now},
                )
        sessions = session_factory(engine)
        holder = ModelHolder(SynthesisSettings(embedder="torch", adapt_from=100))
        analyzer = Analyzer(holder, loops=1, adapt_from=100)
        stopping = asyncio.Event()
        task = asyncio.create_task(analyzer.run(sessions, stopping.is_set))
        try:
            row = None
            for _ in range(900):
                async with engine.connect() as conn:
                    row = (
                        await conn.execute(
                            sa.text(
                                "SELECT version, topic_priors, adapted_on, reason FROM synthesis.model_versions "
                                "ORDER BY version DESC LIMIT 1"
                            )
                        )
                    ).first()  # none until the model is first loaded (it seeds version 1)
                if (row is not None and row.topic_priors) or task.done():
                    break
                await asyncio.sleep(0.2)
        finally:
            stopping.set()
            await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 30)
        assert row is not None and row.topic_priors, f"no version fitted the shares: {row}"
        assert row.version == 2 and row.adapted_on == 120 and "120 received concerns" in row.reason
        shares = row.topic_priors
        assert sorted(shares, key=lambda t: -shares[t])[:2] == ["street_lighting", "roads_sidewalks"], shares
        assert shares["street_lighting"] > 0.5

        async with sessions() as session, session.begin():
            # The model of that version applies the stored shares (as any replica rebuilds it)...
            live = await ModelHolder(SynthesisSettings(embedder="torch")).current(session)
            assert live.version == 2 and live.topics.priors == pytest.approx(shares, abs=1e-5)
            # ...not due again until the concerns received doubled...
            assert await adapt_to_received(session, holder, 100) is None
            # ...and a later version (a correction, say) keeps them while the taxonomy is the same.
            later = await new_model_version(session, taxonomy_version=1, corrections_upto=0, reason="test", by="test")
            assert later.topic_priors == shares and later.adapted_on == 120
