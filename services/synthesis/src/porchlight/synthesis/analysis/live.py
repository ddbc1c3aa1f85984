"""The model the service labels with: one process-wide snapshot per model version.

Model versions live in the database (``model_versions``): each names a taxonomy version and the
corrections learned so far, so every replica (and ``porchlight synthesis reanalyze``) rebuilds the
same model for the same version, and a label's version says exactly what produced it. A replica
checks the latest version before each batch (one indexed read) and rebuilds when it moved — a
correction made through one replica teaches all of them.

Supervisors' corrections reach the model three ways:

* always, as new *prototypes*: the corrected statement joins its topic's example phrases, so it
  pulls similar statements (and only those) towards the topic;
* once there are enough of them (``LEARN_MIN_CORRECTIONS``, covering at least half the topics),
  also as learned examples of :class:`~porchlight.synthesis.model.topics.TopicModel` (nearest
  examples and the linear head). Not before: the nearest-example vote only chooses among topics
  that have examples, so with a handful of corrections it would push every uncertain statement
  towards the few corrected topics (measured: after one correction, "Thanks for coming." went to
  the corrected topic);
* for a statement nearly identical to a corrected one (cosine >= ``CORRECTION_MATCH``), as the
  answer itself: a supervisor who corrected "the lights on Elm are out" expects the same sentence
  in the next note to get the same topic, whatever the mixture says.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.analysis.threads import in_daemon_thread
from porchlight.synthesis.learning.models import Correction, ModelVersion, TaxonomyVersion
from porchlight.synthesis.model import Embedder, LabeledExample, SentimentModel, TopicModel, get_embedder
from porchlight.synthesis.model.embedder import MODEL_FINGERPRINT
from porchlight.synthesis.taxonomy import DEMO_TAXONOMY, Taxonomy, Topic, load_taxonomy, parse_taxonomy

log = logging.getLogger(__name__)

#: Cosine similarity at or above which a statement takes the topic a supervisor gave its twin.
CORRECTION_MATCH = 0.9
#: The unassigned threshold while the model has too few learned examples to calibrate its own.
#: Calibrated on ../shared/data/topics_dev.csv with the taxonomy's prototypes alone (no example
#: learned), by the model's own rule: the highest confidence below which the best topic is right at
#: most 20 % of the time. Below 0.3, 18 % right (12.8 % of concerns); 0.3-0.4, 39 %; 0.8+, 85 %.
#: ``PORCHLIGHT_SYNTHESIS_UNASSIGNED_BELOW`` overrides it.
PROTOTYPE_ONLY_THRESHOLD = 0.3
#: Corrections become learned examples (not only prototypes) from this many on...
LEARN_MIN_CORRECTIONS = 50
#: ...when they cover at least this share of the taxonomy's topics.
LEARN_MIN_TOPIC_SHARE = 0.5
#: Serializes writers of taxonomy and model versions (two corrections at once get n+1 and n+2).
LEARNING_LOCK = "synthesis:learning"


def city_taxonomy_path() -> Path:
    """The city's taxonomy YAML loaded at first start: ``PORCHLIGHT_SYNTHESIS_TAXONOMY`` or the demo city's."""
    return Path(os.environ.get("PORCHLIGHT_SYNTHESIS_TAXONOMY") or DEMO_TAXONOMY)


def version_tag(version: int, taxonomy: Taxonomy) -> str:
    """``<model version>/<taxonomy fingerprint>/<embedding model>``: what labeled a concern."""
    return f"{version}/{taxonomy.fingerprint}/{MODEL_FINGERPRINT}"


@dataclass(frozen=True)
class LiveModel:
    version: int
    taxonomy_version: int
    taxonomy: Taxonomy
    embedder: Embedder
    topics: TopicModel
    sentiment: SentimentModel
    #: Embeddings and topics of corrected statements (the near-duplicate rule).
    corrected_emb: np.ndarray
    corrected_topics: tuple[str, ...]

    @property
    def tag(self) -> str:
        return version_tag(self.version, self.taxonomy)


async def take_learning_lock(session: AsyncSession) -> None:
    await session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": LEARNING_LOCK})


async def ensure_seeded(session: AsyncSession, taxonomy_path: Path | None = None) -> None:
    """The city's taxonomy as version 1 and model version 1, unless a version exists (idempotent)."""
    if await session.scalar(sa.select(sa.func.count()).select_from(ModelVersion)):
        return
    await take_learning_lock(session)
    loaded = load_taxonomy(taxonomy_path or city_taxonomy_path())
    taxonomy = Taxonomy(loaded.topics, version=1, city=loaded.city)
    await session.execute(
        insert(TaxonomyVersion)
        .values(
            version=1,
            document=taxonomy.to_dict(),
            fingerprint=taxonomy.fingerprint,
            reason="loaded at first start",
            created_by="system",
        )
        .on_conflict_do_nothing()
    )
    await session.execute(
        insert(ModelVersion)
        .values(version=1, taxonomy_version=1, corrections_upto=0, reason="initial", created_by="system")
        .on_conflict_do_nothing()
    )


async def latest_version(session: AsyncSession) -> ModelVersion:
    await ensure_seeded(session)
    row = await session.scalar(sa.select(ModelVersion).order_by(ModelVersion.version.desc()).limit(1))
    assert row is not None
    return row


async def taxonomy_at(session: AsyncSession, version: int) -> Taxonomy:
    row = await session.get(TaxonomyVersion, version)
    if row is None:
        raise LookupError(f"no taxonomy version {version}")
    doc = dict(row.document)
    doc["version"] = row.version
    return parse_taxonomy(doc, source=f"taxonomy v{row.version}")


class ModelHolder:
    """Holds the latest :class:`LiveModel`; rebuilds it when the database has a newer version."""

    def __init__(self) -> None:
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
            corrections = (
                await session.execute(
                    sa.select(Correction.text, Correction.to_topic)
                    .where(Correction.id <= row.corrections_upto)
                    .order_by(Correction.id)
                )
            ).all()
            examples = [(t, topic) for t, topic in corrections]
            built = await in_daemon_thread(self._build, row.version, row.taxonomy_version, taxonomy, examples)
            self._live = built
            log.info("model version %s ready (%d corrections learned)", built.tag, len(examples))
            return built

    def _build(
        self, version: int, taxonomy_version: int, taxonomy: Taxonomy, examples: Sequence[tuple[str, str]]
    ) -> LiveModel:
        with self._build_lock:
            embedder = get_embedder()
            if self._sentiment is None:
                self._sentiment = SentimentModel(embedder)
            # A correction to a topic the taxonomy no longer has teaches nothing.
            known = [
                LabeledExample(text=t, topic=topic) for t, topic in latest_per_statement(examples) if topic in taxonomy
            ]
            topics = TopicModel(with_prototypes(taxonomy, known), embedder)
            covered = len({e.topic for e in known})
            if len(known) >= LEARN_MIN_CORRECTIONS and covered >= LEARN_MIN_TOPIC_SHARE * len(taxonomy):
                topics.learn(known)
            if topics.calibrated_on == 0:  # not enough examples to calibrate on: the measured floor
                floor = float(os.environ.get("PORCHLIGHT_SYNTHESIS_UNASSIGNED_BELOW", PROTOTYPE_ONLY_THRESHOLD))
                topics.threshold = max(topics.threshold, floor)
            emb = embedder.embed_cached([e.text for e in known]) if known else np.zeros((0, embedder.dimension))
            return LiveModel(
                version=version,
                taxonomy_version=taxonomy_version,
                taxonomy=taxonomy,
                embedder=embedder,
                topics=topics,
                sentiment=self._sentiment,
                corrected_emb=np.asarray(emb, dtype=np.float32),
                corrected_topics=tuple(e.topic for e in known),
            )


def latest_per_statement(corrections: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Corrections (oldest first) with only the latest one of each statement: a supervisor who
    corrects a statement that was corrected before overrules the earlier correction, instead of
    the two examples contradicting each other in the model. Statements are compared as the model
    sees them (case and spacing do not matter)."""
    latest: dict[str, tuple[str, str]] = {}
    for text, topic in corrections:
        key = " ".join(text.split()).casefold()
        latest.pop(key, None)  # re-inserted last: the order stays "oldest first"
        latest[key] = (text, topic)
    return list(latest.values())


def with_prototypes(taxonomy: Taxonomy, corrections: Sequence[LabeledExample]) -> Taxonomy:
    """The taxonomy with each corrected statement added to its topic's example phrases."""
    extra: dict[str, list[str]] = {}
    for e in corrections:
        phrase = " ".join(e.text.split())[:500]
        if phrase:
            extra.setdefault(e.topic, []).append(phrase)
    if not extra:
        return taxonomy
    topics = tuple(
        Topic(t.name, t.description, tuple(dict.fromkeys([*t.examples, *extra.get(t.name, [])])), t.label)
        for t in taxonomy
    )
    return Taxonomy(topics, version=taxonomy.version, city=taxonomy.city)


#: The process's model (a service process labels with one model at a time).
HOLDER = ModelHolder()
