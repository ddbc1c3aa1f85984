"""What the model knows: taxonomy and model versions, the live model, and editing the taxonomy.

Model versions live in the database (``model_versions``): each names a taxonomy version and the
corrections learned so far, so every replica (and ``porchlight synthesis reanalyze``) rebuilds the
same model for the same version (model/live.py). A replica checks the latest version before each
batch (one indexed read) and rebuilds when it moved — a correction made through one replica
teaches all of them.

A new version is made in the request's transaction, under an advisory lock so concurrent edits
get consecutive numbers. Concerns already stored keep the label and version they were given
(``porchlight synthesis reanalyze`` relabels history); notes analyzed after the commit are labeled
by the new version.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.errors import ProblemError, ValidationProblem
from porchlight.synthesis.learning.models import ModelVersion, TaxonomyVersion
from porchlight.synthesis.learning.repository import LearningRepository
from porchlight.synthesis.model.analyze import embedding_of
from porchlight.synthesis.model.embedder import get_embedder
from porchlight.synthesis.model.live import LiveModel, build_live_model
from porchlight.synthesis.model.sentiment import SentimentModel
from porchlight.synthesis.model.taxonomy import DEMO_TAXONOMY, Taxonomy, TaxonomyError, load_taxonomy, parse_taxonomy
from porchlight.synthesis.model.threads import in_daemon_thread
from porchlight.synthesis.model.topics import TopicModel
from porchlight.synthesis.settings import SynthesisSettings

log = logging.getLogger(__name__)


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The taxonomy changed since you read it"


_WHERE = re.compile(r"^(?P<where>[^:]+): (?P<msg>.*)$", re.S)


def taxonomy_problem(exc: TaxonomyError) -> ValidationProblem:
    """A TaxonomyError ("taxonomy.topics[2].name: ...") as a problem naming the body field."""
    m = _WHERE.match(str(exc))
    where, msg = (m["where"], m["msg"]) if m else ("taxonomy", str(exc))
    field = "body" + where.removeprefix("taxonomy")
    return ValidationProblem(f"Invalid taxonomy: {field}", errors=[{"field": field, "message": msg}])


async def take_learning_lock(session: AsyncSession) -> None:
    await LearningRepository(session).take_lock()


async def ensure_seeded(session: AsyncSession, taxonomy_path: Path = DEMO_TAXONOMY) -> None:
    """The city's taxonomy as version 1 and model version 1, unless a version exists (idempotent).

    The service seeds at start with its settings' taxonomy (learning/startup.py), so the demo
    city's default only applies to a database emptied under a running service."""
    repo = LearningRepository(session)
    if await repo.has_model_version():
        return
    await repo.take_lock()
    loaded = load_taxonomy(taxonomy_path)
    taxonomy = Taxonomy(loaded.topics, version=1, city=loaded.city)
    await repo.seed(taxonomy.to_dict(), taxonomy.fingerprint)


async def latest_version(session: AsyncSession) -> ModelVersion:
    await ensure_seeded(session)
    row = await LearningRepository(session).latest_model_version()
    assert row is not None
    return row


async def taxonomy_at(session: AsyncSession, version: int) -> Taxonomy:
    row = await LearningRepository(session).taxonomy_version(version)
    if row is None:
        raise LookupError(f"no taxonomy version {version}")
    doc = dict(row.document)
    doc["version"] = row.version
    return parse_taxonomy(doc, source=f"taxonomy v{row.version}")


async def current_taxonomy(session: AsyncSession) -> tuple[ModelVersion, Taxonomy]:
    row = await latest_version(session)
    return row, await taxonomy_at(session, row.taxonomy_version)


async def new_model_version(
    session: AsyncSession,
    *,
    taxonomy_version: int,
    corrections_upto: int,
    reason: str,
    by: str,
    topic_priors: dict[str, float] | None = None,
    adapted_on: int = 0,
) -> ModelVersion:
    """The next model version. Without ``topic_priors`` it keeps the last version's topic shares
    while the taxonomy is the same (a new topic would get no share at all: they are fitted again)."""
    last = await latest_version(session)
    if topic_priors is None and last.taxonomy_version == taxonomy_version:
        topic_priors, adapted_on = last.topic_priors, last.adapted_on
    row = ModelVersion(
        version=last.version + 1,
        taxonomy_version=taxonomy_version,
        corrections_upto=corrections_upto,
        topic_priors=topic_priors,
        adapted_on=adapted_on if topic_priors else 0,
        reason=reason,
        created_by=by,
    )
    await LearningRepository(session).add(row)
    return row


async def new_taxonomy_version(session: AsyncSession, taxonomy: Taxonomy, reason: str, by: str) -> int:
    repo = LearningRepository(session)
    version = await repo.last_taxonomy_version() + 1
    versioned = Taxonomy(taxonomy.topics, version=version, city=taxonomy.city)
    await repo.add(
        TaxonomyVersion(
            version=version,
            document=versioned.to_dict(),
            fingerprint=versioned.fingerprint,
            reason=reason,
            created_by=by,
        )
    )
    return version


async def put_taxonomy(
    session: AsyncSession, document: Mapping[str, Any], by: str, if_match: int | None
) -> tuple[ModelVersion, Taxonomy]:
    doc = {k: v for k, v in document.items() if k != "version"}  # the server numbers versions
    try:
        taxonomy = parse_taxonomy(doc)
    except TaxonomyError as exc:
        raise taxonomy_problem(exc) from exc
    await ensure_seeded(session)
    await take_learning_lock(session)
    current = await latest_version(session)
    if if_match is not None and if_match != current.taxonomy_version:
        raise PreconditionFailed(f"the taxonomy is at version {current.taxonomy_version}; read it again")
    tv = await new_taxonomy_version(session, taxonomy, "edited", by)
    row = await new_model_version(
        session, taxonomy_version=tv, corrections_upto=current.corrections_upto, reason="taxonomy edited", by=by
    )
    return row, await taxonomy_at(session, tv)


#: Topic shares are fitted to at most the latest this many concerns (1.5 MB of embeddings).
ADAPT_SAMPLE = 5000


def adaptation_due(received: int, adapted_on: int, adapt_from: int) -> bool:
    """Shares are fitted once ``adapt_from`` concerns were received, then each time their number
    doubled (200, 400, 800, ...): a handful of versions in a city's life, each from twice the data."""
    return adapt_from > 0 and received >= max(adapt_from, 2 * adapted_on)


async def adapt_to_received(session: AsyncSession, holder: ModelHolder, adapt_from: int) -> ModelVersion | None:
    """A new model version whose topic shares are fitted to the concerns received (model/topics.py
    ``adapt``: no label is read), when due; None otherwise, and once the city's corrections taught
    the model a head of its own (shares apply only before, where they were measured)."""
    repo = LearningRepository(session)
    received = await repo.count_concerns()
    if not adaptation_due(received, (await latest_version(session)).adapted_on, adapt_from):
        return None
    live = await holder.current(session)
    if not live.topics.first_day:
        return None
    await repo.take_lock()
    current = await latest_version(session)  # again under the lock: another replica may have done it
    if current.version != live.version or not adaptation_due(received, current.adapted_on, adapt_from):
        return None
    rows = await repo.recent_concerns(ADAPT_SAMPLE)
    priors = await in_daemon_thread(_fit_priors, live.topics, [t for t, _ in rows], [b for _, b in rows])
    if priors is None:
        return None
    row = await new_model_version(
        session,
        taxonomy_version=current.taxonomy_version,
        corrections_upto=current.corrections_upto,
        reason=f"topic shares fitted to {received} received concerns",
        by="synthesis",
        topic_priors=priors,
        adapted_on=received,
    )
    log.info("model version %d: topic shares fitted to %d received concerns", row.version, received)
    return row


def _fit_priors(topics: TopicModel, texts: list[str], blobs: list[bytes]) -> dict[str, float] | None:
    model = topics.fork()  # the live model is shared with the analyzer: fit on a copy
    emb = np.stack([embedding_of(b) for b in blobs]) if blobs else None
    return model.priors if emb is not None and model.adapt(texts, emb) else None


class ModelHolder:
    """Holds the latest :class:`LiveModel`; rebuilds it when the database has a newer version.

    One per process that labels (the service provides it at start-up; ``reanalyze`` builds its own)."""

    def __init__(self, settings: SynthesisSettings) -> None:
        self.settings = settings
        self._live: LiveModel | None = None
        self._sentiment: SentimentModel | None = None
        self._lock = asyncio.Lock()
        self._build_lock = threading.Lock()

    @property
    def loaded(self) -> LiveModel | None:
        return self._live

    async def current(self, session: AsyncSession) -> LiveModel:
        row = await latest_version(session)
        live = self._live
        if live is not None and live.version == row.version:
            return live
        async with self._lock:
            live = self._live
            if live is not None and live.version == row.version:
                return live
            taxonomy = await taxonomy_at(session, row.taxonomy_version)
            examples = await LearningRepository(session).corrections_upto(row.corrections_upto)
            built = await in_daemon_thread(
                self._build, row.version, row.taxonomy_version, taxonomy, examples, row.topic_priors
            )
            self._live = built
            log.info("model version %s ready (%d corrections learned)", built.tag, len(examples))
            return built

    def _build(
        self,
        version: int,
        taxonomy_version: int,
        taxonomy: Taxonomy,
        examples: Sequence[tuple[str, str]],
        priors: dict[str, float] | None = None,
    ) -> LiveModel:
        with self._build_lock:
            self.settings.keep_model_offline()
            embedder = get_embedder(self.settings.embedder, self.settings.model_cache_dir)
            if self._sentiment is None:
                self._sentiment = SentimentModel(embedder)
            return build_live_model(
                version,
                taxonomy_version,
                taxonomy,
                examples,
                embedder=embedder,
                sentiment=self._sentiment,
                unassigned_below=self.settings.unassigned_below,
                priors=priors,
            )
