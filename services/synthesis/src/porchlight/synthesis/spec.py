"""Synthesis as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import ConsumerSpec, InsightUpdated, NoteAnalyzedV2, SentimentScored, TopicCalibrated
from porchlight.events.catalog import NoteAnalysisErased
from porchlight.kit.audit import Action, AuditPolicy
from porchlight.kit.service import ServiceSpec
from porchlight.synthesis.analysis.handlers import router as analysis_handlers
from porchlight.synthesis.analysis.startup import start_analyzer
from porchlight.synthesis.corrections.routes import router as corrections_router
from porchlight.synthesis.db import metadata, outbox
from porchlight.synthesis.emerging.routes import router as emerging_router
from porchlight.synthesis.erasure.handlers import router as erasure_handlers
from porchlight.synthesis.eval.commands import eval_app
from porchlight.synthesis.insights import models as _insight_models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.insights.routes import router as insights_router
from porchlight.synthesis.insights.startup import start_insight_warmer
from porchlight.synthesis.learning import models as _learning_models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.learning.routes import router as learning_router
from porchlight.synthesis.learning.startup import seed_taxonomy_and_provide_model
from porchlight.synthesis.notes import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.notes.routes import router as notes_router
from porchlight.synthesis.reanalysis import models as _reanalysis_models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.reanalysis.commands import synthesis_app
from porchlight.synthesis.settings import SynthesisSettings
from porchlight.synthesis.uncertain.routes import router as uncertain_router

spec = ServiceSpec(
    name="synthesis",
    title="synthesis",
    default_port=8002,
    metadata=metadata,
    outbox=outbox,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[notes_router, insights_router, learning_router, uncertain_router, corrections_router, emerging_router],
    consumers=[ConsumerSpec(group="porchlight.synthesis", routers=[analysis_handlers, erasure_handlers])],
    produces=[NoteAnalyzedV2, SentimentScored, TopicCalibrated, InsightUpdated, NoteAnalysisErased],
    settings=SynthesisSettings,
    commands={"eval": eval_app, "synthesis": synthesis_app},
    # In this order: the holder is provided before the analyzer that uses it.
    on_startup=[seed_taxonomy_and_provide_model, start_analyzer, start_insight_warmer],
    # Every change is recorded; these reads too: they answer with residents' (redacted) words.
    audit=AuditPolicy(
        reads={
            "GET /v1/insights": Action.read,
            "GET /v1/insights/notes": Action.read,
            "GET /v1/emerging": Action.read,
            "GET /v1/concerns/uncertain": Action.read,
        }
    ),
)
