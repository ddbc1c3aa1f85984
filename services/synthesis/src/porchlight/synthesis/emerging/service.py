"""Promoting an emerging cluster to a topic of the taxonomy: previewed first, then confirmed.

The new topic is city-wide (there is one taxonomy); its statements become its examples and each
is a correction to it (what the model learns from), all in one new taxonomy and model version.

A promotion moves exactly the concerns of one cluster as it stands for the place and period
shown (model/clusters.py keeps only the statements that belong together). ``preview`` says which
concerns those are and how the place's topic figures change, and writes nothing; its token is a
digest of everything the promotion would do (place, period, the concerns and the topics they
leave, the name, the taxonomy version). ``confirm`` recomputes the preview under the learning
lock and promotes only when the token still matches: when the cluster changed since (a note
analyzed, a concern corrected, another promotion) it is a 409 asking to preview again.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.errors import Conflict, Forbidden, ValidationProblem
from porchlight.synthesis.analysis.service import announce_notes
from porchlight.synthesis.corrections.access import check_concern_districts
from porchlight.synthesis.corrections.repository import CorrectionRepository
from porchlight.synthesis.emerging.repository import EmergingRepository
from porchlight.synthesis.insights.repository import Period, Place
from porchlight.synthesis.insights.service import emerging_clusters, label_of
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
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy, TaxonomyError, Topic, parse_taxonomy

#: How the concerns no topic fits are named where a preview shows them leaving.
NO_TOPIC_LABEL = "No topic yet"

CHANGED = (
    "This emerging topic has changed since it was shown (new notes were analyzed, or a concern or "
    "the topics were changed): preview it again."
)
STALE = "The promotion changed since you previewed it: preview it again and confirm what it shows."


@dataclass(frozen=True)
class Moving:
    concern_id: int
    note_id: uuid.UUID
    text: str
    occurred_at: datetime
    district: str
    neighborhood: str | None
    from_topic: str
    from_label: str


@dataclass(frozen=True)
class Change:
    topic: str
    label: str
    notes_before: int
    notes_after: int
    concerns_before: int
    concerns_after: int


@dataclass(frozen=True)
class Preview:
    cluster_id: str
    topic: str
    label: str
    description: str | None
    concerns: tuple[Moving, ...]
    counts: tuple[Change, ...]
    token: str


def key_of(label: str) -> str:
    """A topic key from its name: "Bowling green fees" -> ``bowling_green_fees``."""
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")
    if not key or not key[0].isalpha():
        key = f"topic_{key}".rstrip("_") if key else "topic_" + hashlib.sha256(label.encode()).hexdigest()[:8]
    return key[:63].rstrip("_")


def _name_problem(taxonomy: Taxonomy, name: str, label: str, explicit: bool) -> ValidationProblem | None:
    """A sentence naming the field when the new topic would share a name with one the city has."""
    taken = {t.display.casefold(): t.display for t in taxonomy}
    if label.casefold() in taken or label.casefold() == NO_TOPIC_LABEL.casefold():
        msg = f"A topic named “{taken.get(label.casefold(), label)}” exists already: choose another name."
        return ValidationProblem(msg, errors=[{"field": "body.label", "message": msg, "code": "topic_exists"}])
    if name in taxonomy or name == UNASSIGNED:
        msg = f"A topic with the key “{name}” exists already: choose another name."
        field = "body.name" if explicit else "body.label"
        return ValidationProblem(msg, errors=[{"field": field, "message": msg, "code": "topic_exists"}])
    return None


def _check_place(place: Place, only_district: str | None) -> None:
    """A district supervisor previews and promotes the clusters of their district's page only."""
    if only_district is not None and place.district != only_district:
        shown = place.district or "the whole city"
        detail = f"you promote emerging topics of district {only_district} only; not of {shown}"
        raise Forbidden(detail, errors=[{"field": "query.district", "message": detail}], district=only_district)


async def preview(
    session: AsyncSession,
    place: Place,
    period: Period,
    *,
    cluster_id: str,
    label: str,
    name: str | None,
    description: str | None,
    only_district: str | None = None,
) -> Preview:
    """What promoting cluster ``cluster_id`` of the place and period under ``label`` would do:
    the concerns it moves and each changed topic's figures before and after. Writes nothing."""
    _check_place(place, only_district)
    await ensure_seeded(session)
    _, taxonomy = await current_taxonomy(session)
    cluster = next((c for c in await emerging_clusters(session, place, period) if c.cluster_id == cluster_id), None)
    if cluster is None:
        raise Conflict(CHANGED, errors=[{"field": "body.cluster_id", "message": CHANGED, "code": "cluster_changed"}])
    key = name or key_of(label)
    problem = _name_problem(taxonomy, key, label, explicit=name is not None)
    if problem is not None:
        raise problem
    repo = EmergingRepository(session)
    rows = await repo.concerns([m.concern_id for m in cluster.members])
    check_concern_districts(only_district, [c.district for c in rows], "body.cluster_id")
    moving = tuple(
        Moving(
            concern_id=c.id,
            note_id=c.note_id,
            text=c.text,
            occurred_at=c.occurred_at,
            district=c.district,
            neighborhood=c.neighborhood,
            from_topic=c.topic,
            from_label=_label(taxonomy, c.topic),
        )
        for c in rows
    )
    ids = {m.concern_id for m in moving}
    losing = sorted({m.from_topic for m in moving})
    members = await repo.topic_members(place, period, [*losing, key])
    counts = [_change(key, label, members, ids, gains=True)]
    counts += [_change(t, _label(taxonomy, t), members, ids, gains=False) for t in losing]
    token = hashlib.sha256(
        json.dumps(
            [
                place.district,
                place.neighborhood,
                period.start.isoformat(),
                period.end.isoformat(),
                taxonomy.version,
                key,
                label,
                description,
                [(m.concern_id, m.from_topic) for m in moving],
            ]
        ).encode()
    ).hexdigest()[:16]
    return Preview(cluster_id, key, label, description, moving, tuple(counts), token)


def _label(taxonomy: Taxonomy, topic: str) -> str:
    return NO_TOPIC_LABEL if topic == UNASSIGNED else label_of(taxonomy, topic)


def _change(
    topic: str, label: str, members: Sequence[tuple[int, uuid.UUID, str]], moving: set[int], *, gains: bool
) -> Change:
    """A topic's notes and concerns of the place and period, before and after the move."""
    before = [(i, n) for i, n, t in members if t == topic]
    if gains:
        after = before + [(i, n) for i, n, _ in members if i in moving]
    else:
        after = [(i, n) for i, n in before if i not in moving]
    return Change(
        topic=topic,
        label=label,
        notes_before=len({n for _, n in before}),
        notes_after=len({n for _, n in after}),
        concerns_before=len(before),
        concerns_after=len(after),
    )


async def confirm(
    session: AsyncSession,
    place: Place,
    period: Period,
    *,
    cluster_id: str,
    label: str,
    name: str | None,
    description: str | None,
    token: str,
    by: str,
    only_district: str | None = None,
) -> tuple[ModelVersion, Taxonomy, Preview]:
    """Promote exactly what preview ``token`` showed, or 409 when it would now do anything else."""
    _check_place(place, only_district)
    await ensure_seeded(session)
    # The preview is recomputed under the lock: no other promotion or taxonomy edit between it
    # and the write; a note analyzed meanwhile changes the cluster, hence the token.
    await take_learning_lock(session)
    try:
        now = await preview(
            session,
            place,
            period,
            cluster_id=cluster_id,
            label=label,
            name=name,
            description=description,
            only_district=only_district,
        )
    except Conflict as exc:
        raise Conflict(STALE, errors=[{"field": "body.preview", "message": STALE, "code": "preview_stale"}]) from exc
    if now.token != token:
        raise Conflict(STALE, errors=[{"field": "body.preview", "message": STALE, "code": "preview_stale"}])
    row, taxonomy = await _promote(
        session, name=now.topic, label=label, description=description, moving=now.concerns, by=by
    )
    return row, taxonomy, now


async def _promote(
    session: AsyncSession, *, name: str, label: str, description: str | None, moving: Sequence[Moving], by: str
) -> tuple[ModelVersion, Taxonomy]:
    """The cluster becomes a topic: its statements are the topic's examples, and each is a
    correction to the new topic (what the model learns from). The caller holds the learning lock
    and checked the preview; the concerns are locked here and must still be as it showed them."""
    current, taxonomy = await current_taxonomy(session)
    repo = CorrectionRepository(session)
    expected = {m.concern_id: m.from_topic for m in moving}
    concerns = await repo.concerns_locked(list(expected))
    if name in taxonomy or {c.id: c.topic for c in concerns} != expected:
        raise Conflict(STALE, errors=[{"field": "body.preview", "message": STALE, "code": "preview_stale"}])
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
                concern_id=c.id,
                note_id=c.note_id,
                text=c.text,
                from_topic=c.topic,
                to_topic=name,
                topic_probs=c.topic_probs,
                corrected_by=by,
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
    return row, stored
