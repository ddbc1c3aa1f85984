"""Layers as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import ConsumerSpec, CorrelationClosed, CorrelationDetectedV2, IssueFlagged, RecordAccepted
from porchlight.events.catalog import ProjectEvaluated
from porchlight.kit.audit import Action, AuditPolicy
from porchlight.kit.service import ServiceSpec
from porchlight.layers.concerns import models as _concerns_models  # noqa: F401  (tables on the metadata)
from porchlight.layers.concerns.handlers import router as concerns_events
from porchlight.layers.connections import models as _connections_models  # noqa: F401  (tables on the metadata)
from porchlight.layers.connections.routes import router as connections_router
from porchlight.layers.connections.startup import start_connections
from porchlight.layers.db import metadata, outbox
from porchlight.layers.erasure.handlers import router as erasure_events
from porchlight.layers.evaluation import models as _evaluation_models  # noqa: F401  (tables on the metadata)
from porchlight.layers.evaluation.handlers import router as evaluation_events
from porchlight.layers.evaluation.routes import router as evaluation_router
from porchlight.layers.evaluation.startup import start_evaluations
from porchlight.layers.imports import commands as _imports_commands  # noqa: F401  (`layers import` on layers_app)
from porchlight.layers.imports.routes import router as imports_router
from porchlight.layers.imports.startup import load_demo_layers_when_empty
from porchlight.layers.incidents.commands import layers_app
from porchlight.layers.incidents.routes import router as incidents_router
from porchlight.layers.issues import models as _issues_models  # noqa: F401  (tables on the metadata)
from porchlight.layers.issues.handlers import router as issues_events
from porchlight.layers.issues.routes import router as issues_router
from porchlight.layers.open311 import commands as _open311_commands  # noqa: F401  (`layers pull open311`)
from porchlight.layers.open311.routes import router as open311_router
from porchlight.layers.records import models as _records_models  # noqa: F401  (tables on the metadata)
from porchlight.layers.records.handlers import router as records_events
from porchlight.layers.records.routes import router as records_router
from porchlight.layers.records.startup import provide_places
from porchlight.layers.risk.routes import router as risk_router
from porchlight.layers.risk.startup import provide_assessments
from porchlight.layers.settings import LayersSettings

spec = ServiceSpec(
    name="layers",
    title="layers",
    default_port=8004,
    metadata=metadata,
    outbox=outbox,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[
        imports_router,
        incidents_router,
        records_router,
        connections_router,
        issues_router,
        open311_router,
        risk_router,
        evaluation_router,
    ],
    consumers=[
        ConsumerSpec(
            group="porchlight.layers",
            routers=[records_events, concerns_events, issues_events, evaluation_events, erasure_events],
        )
    ],
    produces=[RecordAccepted, CorrelationDetectedV2, CorrelationClosed, IssueFlagged, ProjectEvaluated],
    settings=LayersSettings,
    commands={"layers": layers_app},  # `porchlight layers ...`: capabilities add their commands to this app
    on_startup=[provide_places, provide_assessments, start_connections, load_demo_layers_when_empty, start_evaluations],
    # Every change is recorded; connections' reads too: they quote residents' concerns.
    audit=AuditPolicy(reads={"GET /v1/connections": Action.read, "GET /v1/connections/{correlation_id}": Action.read}),
)
