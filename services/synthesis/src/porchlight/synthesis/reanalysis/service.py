"""Re-analyze every note that took place since a date with the current model version.

Resumable: progress is recorded in ``reanalysis_runs`` in the same transaction as each batch, so a
run that is stopped (Ctrl-C, a crash, a deploy) continues after the last committed note when it
is started again with the same ``--since`` and model version. Notes already labeled by the
current version are skipped, so a re-run after completion costs one read per note. Each batch
re-publishes ``note.analyzed`` (with the new version) and refreshes the insights it moved. Notes
are locked while a batch works on them: a revision the consumer applies at the same time waits
and then wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.synthesis.analysis.service import analyze_and_store, facts_of_stored
from porchlight.synthesis.insights.service import refresh_insights
from porchlight.synthesis.learning.service import ModelHolder, ensure_seeded
from porchlight.synthesis.reanalysis.models import ReanalysisRun
from porchlight.synthesis.reanalysis.repository import ReanalysisRepository


@dataclass
class RunReport:
    run_id: int
    model_version: str
    notes_seen: int
    notes_analyzed: int
    resumed: bool
    finished: bool


async def _open_run(session: AsyncSession, since: datetime, tag: str, restart: bool) -> tuple[ReanalysisRun, bool]:
    repo = ReanalysisRepository(session)
    if not restart:
        run = await repo.unfinished_run(since, tag)
        if run is not None:
            return run, True
    return await repo.add_run(ReanalysisRun(since=since, model_version=tag, notes_seen=0, notes_analyzed=0)), False


async def reanalyze(
    sessions: async_sessionmaker[AsyncSession],
    holder: ModelHolder,
    since: datetime,
    *,
    batch_size: int = 200,
    restart: bool = False,
    max_batches: int | None = None,
    progress: Callable[[ReanalysisRun], None] | None = None,
) -> RunReport:
    """Run (or resume) a re-analysis with ``holder``'s model; ``max_batches`` stops early (tests, a
    bounded maintenance window)."""
    async with sessions() as session, session.begin():
        # A database no service has started on yet gets the city's taxonomy, as the service would.
        await ensure_seeded(session, holder.settings.taxonomy_file)
        live = await holder.current(session)
        run, resumed = await _open_run(session, since, live.tag, restart)
        run_id = run.id
    batches = 0
    while max_batches is None or batches < max_batches:
        async with sessions() as session, session.begin():
            repo = ReanalysisRepository(session)
            found = await repo.run_locked(run_id)
            assert found is not None
            run = found
            live = await holder.current(session)
            notes = await repo.next_notes(run, since, batch_size)
            now = datetime.now(UTC)
            if not notes:
                run.finished_at = run.updated_at = now
                break
            todo = [facts_of_stored(n) for n in notes if n.model_version != live.tag]
            if todo:
                districts = await analyze_and_store(session, live, todo)
                await refresh_insights(session, districts, live.tag)
            run.cursor_occurred_at, run.cursor_note_id = notes[-1].occurred_at, notes[-1].note_id
            run.notes_seen += len(notes)
            run.notes_analyzed += len(todo)
            run.model_version = live.tag  # a version that moved mid-run: the rest uses the newer one
            run.updated_at = now
        batches += 1
        if progress is not None:
            progress(run)
    return RunReport(
        run_id, run.model_version, run.notes_seen, run.notes_analyzed, resumed, run.finished_at is not None
    )
