"""Synthesis as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import ConsumerSpec, InsightUpdated, NoteAnalyzed, NoteSubmitted
from porchlight.events.catalog import NoteRevised
from porchlight.kit.service import ServiceSpec
from porchlight.synthesis.analysis.startup import seed_and_warm
from porchlight.synthesis.db import metadata, outbox
from porchlight.synthesis.emerging.routes import router as emerging_router
from porchlight.synthesis.eval.cli import eval_app
from porchlight.synthesis.insights import material as _insight_models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.insights.routes import router as insights_router
from porchlight.synthesis.learning import models as _learning_models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.learning.routes import router as learning_router
from porchlight.synthesis.notes import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.notes.handlers import on_notes
from porchlight.synthesis.notes.routes import router as notes_router
from porchlight.synthesis.reanalysis import models as _reanalysis_models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.reanalysis.cli import synthesis_app

spec = ServiceSpec(
    name="synthesis",
    title="synthesis",
    default_port=8002,
    metadata=metadata,
    outbox=outbox,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[notes_router, insights_router, learning_router, emerging_router],
    consumers=[
        ConsumerSpec(group="porchlight.synthesis", batch_handlers={NoteSubmitted: on_notes, NoteRevised: on_notes})
    ],
    produces=[NoteAnalyzed, InsightUpdated],
    commands={"eval": eval_app, "synthesis": synthesis_app},
    on_startup=[seed_and_warm],
)
