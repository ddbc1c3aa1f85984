"""Residents' concerns reach layers with their place and synthesis' topic; a revision replaces them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from support import eventually, running, scalar

from porchlight.events import EventProducer, NoteAnalyzed, NoteSubmitted, Topics, new_envelope, to_kafka
from porchlight.events.catalog import Concern, ConcernAnalysis, GeoPoint, NoteRevised

pytestmark = pytest.mark.integration


async def test_concerns_keep_place_topic_and_mood_and_the_latest_revision(settings):
    note_id = uuid.uuid4()
    district = f"L-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    here = GeoPoint(lat=42.3398, lon=-71.0892)
    submitted = NoteSubmitted(
        note_id=note_id,
        district=district,
        host_id="officer-1",
        submitted_at=now,
        held_at=now,
        concerns=[Concern(text="The corner is dark at night", point=here), Concern(text="Cars speed on Elm")],
    )
    analyzed = NoteAnalyzed(
        note_id=note_id,
        district=district,
        model_version="test",
        revision=1,
        occurred_at=now,
        sentiment="negative",
        sentiment_score=-0.6,
        concerns=[
            ConcernAnalysis(text="The corner is dark at night", topic="street_lighting", sentiment="negative",
                            sentiment_score=-0.7),
            ConcernAnalysis(text="Cars speed on Elm", topic="speeding_traffic", sentiment="negative",
                            sentiment_score=-0.5),
        ],
    )  # fmt: skip
    revised = NoteRevised(
        note_id=note_id,
        revision=2,
        district=district,
        host_id="officer-1",
        submitted_at=now,
        revised_at=now,
        held_at=now,
        concerns=[Concern(text="The corner is dark at night", point=here)],
    )
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("layers", settings):
            for topic, event in ((Topics.NOTES, submitted), (Topics.NOTE_ANALYSES, analyzed)):
                key, value, headers = to_kafka(new_envelope(event, source="/porchlight/tests"))
                await (await producer.send_raw(topic, key=key, value=value, headers=headers))

            async def analysed() -> bool:
                n = await scalar(
                    settings,
                    "select count(*) from layers.note_concerns where note_id = :n and topic is not null",
                    n=note_id,
                )
                return n == 2

            await eventually(analysed, timeout_s=30)
            lat = await scalar(
                settings, "select lat from layers.note_concerns where note_id = :n and position = 0", n=note_id
            )
            assert lat == pytest.approx(42.3398)
            mood = await scalar(settings, "select sentiment_score from layers.note_moods where note_id = :n", n=note_id)
            assert mood == pytest.approx(-0.6)

            key, value, headers = to_kafka(new_envelope(revised, source="/porchlight/tests"))
            await (await producer.send_raw(Topics.NOTES, key=key, value=value, headers=headers))

            async def replaced() -> bool:
                n = await scalar(settings, "select count(*) from layers.note_concerns where note_id = :n", n=note_id)
                return n == 1

            await eventually(replaced, timeout_s=30)
    finally:
        await producer.stop()
