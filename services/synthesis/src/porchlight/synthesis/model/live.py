"""The model the service labels with: one snapshot per model version, built from its parts.

Model versions live in the database (learning/models.py): each names a taxonomy version and the
corrections learned so far, so every replica (and ``porchlight synthesis reanalyze``) rebuilds the
same model for the same version, and a label's version says exactly what produced it.

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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from porchlight.synthesis.model.embedder import MODEL_FINGERPRINT, Embedder
from porchlight.synthesis.model.sentiment import SentimentModel
from porchlight.synthesis.model.taxonomy import Taxonomy, Topic
from porchlight.synthesis.model.topics import LabeledExample, TopicModel

#: Cosine similarity at or above which a statement takes the topic a supervisor gave its twin.
CORRECTION_MATCH = 0.9
#: The unassigned threshold while the model has too few learned examples to calibrate its own.
#: Calibrated on ../shared/data/topics_dev.csv with the taxonomy's prototypes alone (no example
#: learned), by the model's own rule: the highest confidence below which the best topic is right at
#: most 20 % of the time. Below 0.3, 18 % right (12.8 % of concerns); 0.3-0.4, 39 %; 0.8+, 85 %.
#: ``PORCHLIGHT_SYNTHESIS_UNASSIGNED_BELOW`` overrides it (settings.py).
PROTOTYPE_ONLY_THRESHOLD = 0.3
#: Corrections become learned examples (not only prototypes) from this many on...
LEARN_MIN_CORRECTIONS = 50
#: ...when they cover at least this share of the taxonomy's topics.
LEARN_MIN_TOPIC_SHARE = 0.5


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


def build_live_model(
    version: int,
    taxonomy_version: int,
    taxonomy: Taxonomy,
    examples: Sequence[tuple[str, str]],
    *,
    embedder: Embedder,
    sentiment: SentimentModel,
    unassigned_below: float | None = None,
    priors: dict[str, float] | None = None,
) -> LiveModel:
    """The model of one version: the taxonomy taught by the corrections (oldest first) up to it.

    ``unassigned_below``: the floor of the unassigned threshold while the model cannot calibrate
    its own (``PROTOTYPE_ONLY_THRESHOLD`` when None); ``priors``: the version's topic shares."""
    # A correction to a topic the taxonomy no longer has teaches nothing.
    known = [LabeledExample(text=t, topic=topic) for t, topic in latest_per_statement(examples) if topic in taxonomy]
    topics = TopicModel(with_prototypes(taxonomy, known), embedder)
    covered = len({e.topic for e in known})
    if len(known) >= LEARN_MIN_CORRECTIONS and covered >= LEARN_MIN_TOPIC_SHARE * len(taxonomy):
        topics.learn(known)
    topics.set_priors(priors)  # the version's topic shares (applied while the model is in its first days)
    if topics.calibrated_on == 0:  # not enough examples to calibrate on: the measured floor
        floor = PROTOTYPE_ONLY_THRESHOLD if unassigned_below is None else unassigned_below
        topics.threshold = max(topics.threshold, floor)
    emb = embedder.embed_cached([e.text for e in known]) if known else np.zeros((0, embedder.dimension))
    return LiveModel(
        version=version,
        taxonomy_version=taxonomy_version,
        taxonomy=taxonomy,
        embedder=embedder,
        topics=topics,
        sentiment=sentiment,
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
