"""Teaching the model: a new taxonomy version, a supervisor's correction, a promoted emerging topic.

Each makes a new model version (a ``model_versions`` row) in the request's transaction, under an
advisory lock so concurrent edits get consecutive numbers. Concerns already stored keep the label
and version they were given (``porchlight synthesis reanalyze`` relabels history); notes analyzed
after the commit are labeled by the new version — every replica picks it up before its next batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.errors import Conflict, NotFound, ProblemError, ValidationProblem
from porchlight.synthesis.analysis.analyze import ConcernResult, NoteResult
from porchlight.synthesis.analysis.live import (
    ensure_seeded,
    latest_version,
    take_learning_lock,
    taxonomy_at,
    version_tag,
)
from porchlight.synthesis.analysis.store import NoteFacts, analyzed_event
from porchlight.synthesis.insights.material import refresh_insights
from porchlight.synthesis.learning.districts import check_concern_districts
from porchlight.synthesis.learning.models import Correction, ModelVersion, TaxonomyVersion
from porchlight.synthesis.notes.models import AnalyzedConcern, ReceivedNote
from porchlight.synthesis.outbox import outbox
from porchlight.synthesis.taxonomy import NAME_RE, UNASSIGNED, Taxonomy, TaxonomyError, Topic, parse_taxonomy


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The taxonomy changed since you read it"


_WHERE = re.compile(r"^(?P<where>[^:]+): (?P<msg>.*)$", re.S)


def taxonomy_problem(exc: TaxonomyError) -> ValidationProblem:
    """A TaxonomyError ("taxonomy.topics[2].name: ...") as a problem naming the body field."""
    m = _WHERE.match(str(exc))
    where, msg = (m["where"], m["msg"]) if m else ("taxonomy", str(exc))
    field = "body" + where.removeprefix("taxonomy")
    return ValidationProblem(f"Invalid taxonomy: {field}", errors=[{"field": field, "message": msg}])


async def current_taxonomy(session: AsyncSession) -> tuple[ModelVersion, Taxonomy]:
    row = await latest_version(session)
    return row, await taxonomy_at(session, row.taxonomy_version)


async def _new_model_version(
    session: AsyncSession, *, taxonomy_version: int, corrections_upto: int, reason: str, by: str
) -> ModelVersion:
    last = await latest_version(session)
    row = ModelVersion(
        version=last.version + 1,
        taxonomy_version=taxonomy_version,
        corrections_upto=corrections_upto,
        reason=reason,
        created_by=by,
    )
    session.add(row)
    await session.flush()
    return row


async def _new_taxonomy_version(session: AsyncSession, taxonomy: Taxonomy, reason: str, by: str) -> int:
    last = await session.scalar(sa.select(sa.func.max(TaxonomyVersion.version)))
    version = int(last or 0) + 1
    versioned = Taxonomy(taxonomy.topics, version=version, city=taxonomy.city)
    session.add(
        TaxonomyVersion(
            version=version,
            document=versioned.to_dict(),
            fingerprint=versioned.fingerprint,
            reason=reason,
            created_by=by,
        )
    )
    await session.flush()
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
    tv = await _new_taxonomy_version(session, taxonomy, "edited", by)
    row = await _new_model_version(
        session, taxonomy_version=tv, corrections_upto=current.corrections_upto, reason="taxonomy edited", by=by
    )
    return row, await taxonomy_at(session, tv)


async def correct_topic(
    session: AsyncSession, concern_id: int, topic: str, by: str, *, only_district: str | None = None
) -> tuple[AnalyzedConcern, str, ModelVersion, Taxonomy]:
    """Set a concern's topic by hand; the correction becomes a learned example (model version + 1).

    ``only_district``: the corrector's one district (learning/districts.py), None for city-wide."""
    await ensure_seeded(session)
    await take_learning_lock(session)
    current, taxonomy = await current_taxonomy(session)
    if topic == UNASSIGNED or topic not in taxonomy:
        raise ValidationProblem(
            "Unknown topic", errors=[{"field": "body.topic", "message": f"{topic!r} is not a topic of the taxonomy"}]
        )
    concern = await session.get(AnalyzedConcern, concern_id, with_for_update=True)
    if concern is None:
        raise NotFound(f"no concern {concern_id}")
    check_concern_districts(only_district, [concern.district], "path.concern_id")
    previous = concern.topic
    correction = Correction(
        concern_id=concern.id,
        note_id=concern.note_id,
        text=concern.text,
        from_topic=previous,
        to_topic=topic,
        corrected_by=by,
    )
    session.add(correction)
    await session.flush()
    row = await _new_model_version(
        session,
        taxonomy_version=current.taxonomy_version,
        corrections_upto=correction.id,
        reason=f"correction {correction.id}",
        by=by,
    )
    tag = version_tag(row.version, taxonomy)
    concern.topic, concern.topic_source, concern.model_version = topic, "supervisor", tag
    await session.flush()
    await announce_notes(session, [concern.note_id], tag)
    return concern, previous, row, taxonomy


async def announce_notes(session: AsyncSession, note_ids: Sequence[Any], tag: str) -> None:
    """Queue ``note.analyzed`` again for notes whose labels changed; refresh their districts' insight."""
    notes = (await session.scalars(sa.select(ReceivedNote).where(ReceivedNote.note_id.in_(note_ids)))).all()
    districts = set()
    for note in notes:
        rows = (
            await session.scalars(
                sa.select(AnalyzedConcern)
                .where(AnalyzedConcern.note_id == note.note_id)
                .order_by(AnalyzedConcern.position)
            )
        ).all()
        facts = NoteFacts(
            note.note_id,
            note.revision,
            note.district,
            note.neighborhood,
            tuple(note.concerns),
            note.text,
            note.submitted_at,
            note.occurred_at,
            note.host_rating,
        )
        result = NoteResult(
            note.document,
            tuple(
                ConcernResult(
                    c.position,
                    c.text,
                    c.span_start,
                    c.span_end,
                    c.topic,
                    c.topic_score,
                    c.best_topic,
                    c.sentiment,
                    c.sentiment_score,
                    np.zeros(0),
                )
                for c in rows
            ),
            note.sentiment or "neutral",
            note.sentiment_score or 0.0,
        )
        await outbox().add(session, analyzed_event(facts, result, tag))
        districts.add(note.district)
    await refresh_insights(session, districts, tag)


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
    one district (learning/districts.py): every concern must be from there; None for city-wide."""
    if not NAME_RE.match(name) or name == UNASSIGNED:
        raise ValidationProblem(
            "Invalid topic name", errors=[{"field": "body.name", "message": f"must match {NAME_RE.pattern}"}]
        )
    await ensure_seeded(session)
    await take_learning_lock(session)
    current, taxonomy = await current_taxonomy(session)
    if name in taxonomy:
        raise Conflict(f"topic {name!r} exists already")
    concerns = (
        await session.scalars(sa.select(AnalyzedConcern).where(AnalyzedConcern.id.in_(concern_ids)).with_for_update())
    ).all()
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
    tv = await _new_taxonomy_version(session, new_tax, f"promoted emerging topic {name}", by)
    last_id = 0
    for c in concerns:
        corr = Correction(
            concern_id=c.id, note_id=c.note_id, text=c.text, from_topic=c.topic, to_topic=name, corrected_by=by
        )
        session.add(corr)
        await session.flush()
        last_id = max(last_id, corr.id)
    row = await _new_model_version(
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
    await session.flush()
    await announce_notes(session, sorted({c.note_id for c in concerns}, key=str), tag)
    return row, stored, [c.id for c in concerns]
