"""Start-up: the city's taxonomy is in the database (first start), and the model holder is provided."""

from __future__ import annotations

from porchlight.kit.runtime import ServiceRuntime
from porchlight.synthesis.learning.service import ModelHolder, ensure_seeded
from porchlight.synthesis.settings import SynthesisSettings


async def seed_taxonomy_and_provide_model(runtime: ServiceRuntime) -> None:
    settings = runtime.resource(SynthesisSettings)
    async with runtime.sessions() as session, session.begin():
        await ensure_seeded(session, settings.taxonomy_file)
    # The model itself loads on first use (the analyzer warms it up in the background).
    runtime.provide(ModelHolder(settings))
