"""What the dashboard needs to estimate topic counts as synthesis does (issue 17): each concern's
topic probabilities and who set its topic ride in ``note.analyzed``, and synthesis publishes the
calibration it uses as ``topic.calibrated`` (when it starts, and when a refit changes it). The
dashboard keeps both. Real PostgreSQL, broker and model: notes go in through the broker.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import bearer, eventually, running
from synthesis.test_promotion_preview import file_notes, rows

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.notes.repository import apply_calibration
from porchlight.dashboard.pages import repository as queries
from porchlight.events import TopicCalibrated
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.calibration import service as calibration
from porchlight.synthesis.calibration.service import announce_calibration, current_calibration, shipped_calibration

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]


async def in_synthesis(settings: KitSettings, work: Any) -> Any:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


async def held_calibration(settings: KitSettings) -> dict[str, Any] | None:
    found = await rows(settings, "SELECT body FROM dashboard.topic_calibration WHERE scope = 'city'")
    return found[0][0] if found else None


async def test_the_dashboard_gets_each_concerns_probabilities_and_the_calibration(
    settings: KitSettings, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = f"CAL-{uuid.uuid4().hex[:8]}"
    async with running("dashboard", settings):
        held = datetime.now(UTC) - timedelta(minutes=5)
        ids = await file_notes(
            settings,
            here,
            [["The streetlight on Elm has been out for weeks"], ["Cars speed down Maple every morning"]],
            held=held,
        )
        stored = await rows(
            settings,
            "SELECT note_id, position, topic_probs FROM synthesis.concerns WHERE note_id = ANY(:ids)"
            " ORDER BY note_id, position",
            ids=ids,
        )
        assert len(stored) == 2 and all(p for _, _, p in stored)

        async def arrived() -> bool:
            found = await rows(
                settings,
                "SELECT note_id, idx, topic_probs, topic_source FROM dashboard.note_concerns"
                # The note itself too (another topic): until it arrives its concerns have no
                # district, and no page counts them.
                " WHERE note_id = ANY(:ids) AND source = 'model' AND district IS NOT NULL ORDER BY note_id, idx",
                ids=ids,
            )
            return found == [(n, i, p, "model") for n, i, p in stored]

        await eventually(arrived, timeout_s=60)

        # The calibration synthesis uses, as published when it started: the dashboard holds it.
        now = (await in_synthesis(settings, current_calibration)).to_json()

        async def holds_current() -> bool:
            body = await held_calibration(settings)
            return body is not None and {k: body[k] for k in now} == now

        await eventually(holds_current, timeout_s=60)

        # The dashboard's month counts carry estimates made as synthesis makes them.
        month = Month.parse(held.strftime("%Y-%m"))
        shipped = shipped_calibration()
        found = (await in_synthesis(settings, lambda s: queries.concerns(s, [here], month, limit=5, quotes=False)))[
            here
        ]
        assert found and all(c.estimate is not None for c in found), found
        for c in found:
            e = c.estimate
            assert e is not None and e.basis == "evaluation" and e.labels == shipped.labels
            assert 0 <= e.low <= e.count <= e.high and e.high > e.low, e  # two notes the model read: not certain

        # A supervisor's correction: note.analyzed again, the topic set by a person.
        sup = bearer(settings, "supervisor", subject="sgt-calibrated-tests")
        (concern,) = await rows(settings, "SELECT id FROM synthesis.concerns WHERE note_id = :n", n=stored[1][0])
        r = await client.put(f"/v1/concerns/{concern[0]}/topic", json={"topic": "parks"}, headers=sup)
        assert r.status_code == 200, r.text

        async def corrected() -> bool:
            found = await rows(
                settings,
                "SELECT topic, topic_source, topic_probs FROM dashboard.note_concerns"
                " WHERE note_id = :n AND source = 'model'",
                n=stored[1][0],
            )
            return found == [("parks", "supervisor", stored[1][2])]  # the model's probabilities kept

        await eventually(corrected, timeout_s=60)
        found = (await in_synthesis(settings, lambda s: queries.concerns(s, [here], month, limit=5, quotes=False)))[
            here
        ]
        (parks,) = [c for c in found if c.topic == "parks"]
        # The supervisor's label is certain: never fewer than it (the other note may be parks too).
        assert parks.estimate is not None and 1 <= parks.estimate.low <= parks.estimate.count

        # Once the corrections calibrate, a new calibration is published once, and the dashboard
        # keeps the newest.
        monkeypatch.setattr(calibration, "MIN_CORRECTIONS", 1)
        first = await in_synthesis(settings, announce_calibration)
        assert isinstance(first, TopicCalibrated) and first.basis == "corrections" and first.labels >= 1
        assert await in_synthesis(settings, announce_calibration) is None  # nothing new: not again

        async def holds_newest() -> bool:
            body = await held_calibration(settings)
            return body is not None and body["basis"] == "corrections" and body["labels"] == first.labels

        await eventually(holds_newest, timeout_s=60)
        # Back to the shipped evaluation (the corrections fall below the floor): published too, and
        # an older calibration arriving late changes nothing.
        monkeypatch.setattr(calibration, "MIN_CORRECTIONS", 50_000_000)
        again = await in_synthesis(settings, announce_calibration)
        assert again is not None and again.basis == "evaluation" and again.published_at > first.published_at

        async def holds_again() -> bool:
            found = await rows(settings, "SELECT published_at, body->>'basis' FROM dashboard.topic_calibration")
            return found == [(again.published_at, "evaluation")]

        await eventually(holds_again, timeout_s=60)
        late = first.model_copy(update={"published_at": again.published_at - timedelta(seconds=1)})
        await in_synthesis(settings, lambda s: apply_calibration(s, late))
        assert await holds_again()
