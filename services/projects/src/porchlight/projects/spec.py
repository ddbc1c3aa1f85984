"""Projects as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import (
    ConsumerSpec,
    PriorityCreated,
    ProjectCompleted,
    ProjectCompletionRequested,
    ProjectCreated,
    ProjectMoved,
    ProjectReminded,
    TaskCompleted,
    TaskReopened,
    UpdatePublished,
)
from porchlight.kit.audit import Action, AuditPolicy
from porchlight.kit.service import ServiceSpec
from porchlight.projects.board.routes import router as board_router
from porchlight.projects.board.startup import install_board_hub
from porchlight.projects.bulletins import models as _bulletin_models  # noqa: F401  (tables on the metadata)
from porchlight.projects.bulletins.routes import router as bulletins_router
from porchlight.projects.db import metadata, outbox
from porchlight.projects.departments import models as _departments_models  # noqa: F401  (tables on the metadata)
from porchlight.projects.departments.routes import router as departments_router
from porchlight.projects.evaluation.routes import router as evaluation_router
from porchlight.projects.exchange.routes import router as exchange_router
from porchlight.projects.flagged import models as _flagged_models  # noqa: F401  (tables on the metadata)
from porchlight.projects.flagged.handlers import router as flagged_events
from porchlight.projects.flagged.routes import router as flagged_router
from porchlight.projects.impact import models as _impact_models  # noqa: F401  (tables on the metadata)
from porchlight.projects.impact.handlers import router as impact_events
from porchlight.projects.plainlanguage.routes import router as plain_language_router
from porchlight.projects.priorities import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.projects.priorities.routes import router as priorities_router
from porchlight.projects.wins import models as _wins_models  # noqa: F401  (tables on the metadata)
from porchlight.projects.wins.routes import router as wins_router
from porchlight.projects.wins.startup import draft_wins_on_completion
from porchlight.projects.work import models as _work_models  # noqa: F401  (tables on the metadata)
from porchlight.projects.work.commands import projects_app
from porchlight.projects.work.routes import router as work_router

spec = ServiceSpec(
    name="projects",
    title="projects",
    default_port=8003,
    metadata=metadata,
    outbox=outbox,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[
        priorities_router,
        evaluation_router,
        work_router,
        board_router,
        wins_router,
        bulletins_router,
        departments_router,
        exchange_router,
        flagged_router,
        plain_language_router,
    ],
    consumers=[ConsumerSpec(group="porchlight.projects", routers=[flagged_events, impact_events])],
    produces=[
        PriorityCreated,
        ProjectCreated,
        ProjectMoved,
        ProjectCompletionRequested,
        ProjectCompleted,
        ProjectReminded,
        TaskCompleted,
        TaskReopened,
        UpdatePublished,
    ],
    commands={"projects": projects_app},  # `porchlight projects ...`; commands get the spec as ctx.obj
    on_startup=[install_board_hub, draft_wins_on_completion],
    # Every change is recorded; priorities' reads too: they quote residents.
    audit=AuditPolicy(reads={"GET /v1/priorities": Action.read, "GET /v1/priorities/{priority_id}": Action.read}),
)
