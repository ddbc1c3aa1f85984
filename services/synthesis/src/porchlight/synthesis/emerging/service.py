"""Promoting an emerging cluster to a topic of the taxonomy.

The new topic is city-wide (there is one taxonomy); its statements become its examples and each
is a correction to it (what the model learns from), all in one new taxonomy and model version.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.errors import Conflict, ValidationProblem
from porchlight.synthesis.analysis.service import announce_notes
from porchlight.synthesis.corrections.access import check_concern_districts
from porchlight.synthesis.corrections.repository import CorrectionRepository
from porchlight.synthesis.learning.models import Correction, ModelVersion
from porchlight.synthesis.learning.service import (
    current_taxonomy,
    ensure_seeded,
    new_model_version,
    new_taxonomy_version,
    take_learning_lock,
    taxonomy_at,
    taxonomy_problem,
)
from porchlight.synthesis.model.live import version_tag
from porchlight.synthesis.model.taxonomy import NAME_RE, UNASSIGNED, Taxonomy, TaxonomyError, Topic, parse_taxonomy


async def promote(
    session: AsyncSession,
    *,
    name: str,
    label: str,
    description: str | None,
    concern_ids: Sequence[int],
    by: str,
    only_district: str | None = None,
) -> tuple[ModelVersion, Taxonomy, list[int]]:
    """An emerging cluster becomes a topic: its statements are the topic's examples, and each is a
    correction to the new topic (what the model learns from). ``only_district``: the promoter's
    one district (corrections/access.py): every concern must be from there; None for city-wide."""
    if not NAME_RE.match(name) or name == UNASSIGNED:
        raise ValidationProblem(
            "Invalid topic name", errors=[{"field": "body.name", "message": f"must match {NAME_RE.pattern}"}]
        )
    await ensure_seeded(session)
    await take_learning_lock(session)
    current, taxonomy = await current_taxonomy(session)
    if name in taxonomy:
        raise Conflict(f"topic {name!r} exists already")
    repo = CorrectionRepository(session)
    concerns = await repo.concerns_locked(concern_ids)
    missing = sorted(set(concern_ids) - {c.id for c in concerns})
    if missing:
        raise ValidationProblem(
            "Unknown concerns", errors=[{"field": "body.concern_ids", "message": f"no concerns {missing}"}]
        )
    check_concern_districts(only_district, [c.district for c in concerns], "body.concern_ids")
    texts = list(dict.fromkeys(c.text for c in concerns))
    examples = tuple(t[:500] for t in texts[:12])
    topic = Topic(
        name=name,
        label=label.strip(),
        description=description or f"{label.strip() or name}: " + "; ".join(examples[:3]),
        examples=examples,
    )
    try:
        new_tax = parse_taxonomy({**taxonomy.with_topic(topic).to_dict(), "version": 1})
    except TaxonomyError as exc:
        raise taxonomy_problem(exc) from exc
    tv = await new_taxonomy_version(session, new_tax, f"promoted emerging topic {name}", by)
    last_id = 0
    for c in concerns:
        corr = await repo.add(
            Correction(
                concern_id=c.id, note_id=c.note_id, text=c.text, from_topic=c.topic, to_topic=name, corrected_by=by
            )
        )
        last_id = max(last_id, corr.id)
    row = await new_model_version(
        session,
        taxonomy_version=tv,
        corrections_upto=max(last_id, current.corrections_upto),
        reason=f"promoted {name}",
        by=by,
    )
    stored = await taxonomy_at(session, tv)
    tag = version_tag(row.version, stored)
    for c in concerns:
        c.topic, c.topic_source, c.model_version = name, "supervisor", tag
    await repo.flush()
    await announce_notes(session, sorted({c.note_id for c in concerns}, key=str), tag)
    return row, stored, [c.id for c in concerns]
