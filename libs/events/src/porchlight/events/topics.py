"""Kafka topic names, and creating them with the admin client.

Topics are named for the aggregate, not the producing service, so a consumer subscribes to what
it needs to know. Dead-letter topics are ``<topic>.dlq.<group>``: one per consuming group, so a
group's poison events never reach another group's replay.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


class Topics:
    NOTES = "porchlight.notes"
    CONTACTS = "porchlight.contacts"
    MEETINGS = "porchlight.meetings"
    NOTE_ANALYSES = "porchlight.note-analyses"
    INSIGHTS = "porchlight.insights"
    PRIORITIES = "porchlight.priorities"
    PROJECTS = "porchlight.projects"
    ISSUES = "porchlight.issues"
    #: Departments' systems publish their records here (record.reported, record.closed); layers reads them.
    RECORDS = "porchlight.records"
    #: Layers' checked, located copy of every record (record.accepted), whichever door it came through.
    LAYER_RECORDS = "porchlight.layer-records"
    CORRELATIONS = "porchlight.correlations"
    UPDATES = "porchlight.updates"
    #: Layers' target-vs-control results of completed projects (project.evaluated).
    EVALUATIONS = "porchlight.evaluations"

    @classmethod
    def all(cls) -> list[str]:
        return sorted(v for k, v in vars(cls).items() if k.isupper())


#: The topics whose events carry residents' (redacted) words: note texts and concerns, analysed
#: statements, connections' quotes. The words travel sealed under their note's key, which an
#: erasure shreds (docs/adr/0014); as a second line these topics (and their dead-letter topics)
#: are created with a bounded ``retention.ms`` (docs/privacy.md, "Retention and erasure").
WORD_TOPICS = (Topics.NOTES, Topics.NOTE_ANALYSES, Topics.CORRELATIONS)


def carries_words(topic: str) -> bool:
    """Whether ``topic`` is a word-carrying topic or one of their dead-letter topics."""
    return any(topic == t or topic.startswith(f"{t}.dlq.") for t in WORD_TOPICS)


def dlq_topic(topic: str, group: str) -> str:
    """The dead-letter topic of ``group`` for events it could not apply from ``topic``."""
    return f"{topic}.dlq.{group}"


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    *,
    partitions: int,
    replication: int = 1,
    words_retention_ms: int | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> None:
    """Create the topics that do not exist yet.

    Topics are created before any producer starts: a producer that sees a topic appear under
    its feet on the embedded broker may cache broken partition metadata (see docs/adr/0003).
    ``words_retention_ms`` is the ``retention.ms`` of the word-carrying topics (``carries_words``);
    a topic that exists already keeps its configuration (change it with the broker's tools).
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000, **(client_options or {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        if not missing:
            return
        words = {"retention.ms": str(words_retention_ms)} if words_retention_ms else {}
        new = [
            NewTopic(
                t,
                num_partitions=partitions,
                replication_factor=replication,
                topic_configs=words if carries_words(t) else {},
            )
            for t in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # a replica beat us to it
            await admin.create_topics(new)
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()
