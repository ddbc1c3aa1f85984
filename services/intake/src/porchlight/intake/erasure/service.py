"""Erasing a note's or a contact's words, keeping what counts it (docs/privacy.md, "Retention and erasure").

A note keeps what the figures need: its district and neighborhood, when it was held and filed,
its host, attendees, sentiment rating, how many concerns and follow-ups it had, and a concern's
topic when it is a taxonomy code (a single lower-case word, not the host's own phrase). Every
text goes, in the note and in every revision, raw and redacted: the concerns' statements and
locations, the free text, the follow-ups, the place name, and the exact points. The hash of the
submitted form goes too (it could confirm a guessed text); a resend of the same form is then a
conflict, not a new note.

A contact keeps its type, minutes, residents reached, officer, unit, district, neighborhood and
time; its note, place name, point and the request's idempotency key and fingerprint go.

A meeting's words (its place name, co-hosts and exact point) go with the note taken at it, and at
the end of the notes' retention period for every meeting held before it.

Erasing a note shreds its key (docs/adr/0014): the words its events carried sealed, on the broker
and in any outbox, can no longer be opened by anyone. Both blank pending outbox rows of events
that predate sealing in the same transaction, record the erasure, and queue note.erased /
contact.erased, which every service that keeps the words applies. A second erasure finds the record and does nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events import NoteSubmitted, Outbox
from porchlight.events.catalog import ContactErased, ErasureReason, NoteErased, NoteRevised
from porchlight.events.erasure import rewrite_pending
from porchlight.events.keyring import shred
from porchlight.intake.erasure.models import Erasure
from porchlight.intake.erasure.repository import ErasureRepository
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal
from porchlight.kit.errors import NotFound

log = logging.getLogger(__name__)

#: A topic that is a taxonomy code ("traffic", "street_lighting") is a category, not words.
_TOPIC_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def kept_topic(topic: Any) -> str | None:
    return topic if isinstance(topic, str) and _TOPIC_CODE.fullmatch(topic) else None


def blank_concerns(concerns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A note's stored concerns without words or points: as many, each with its topic code."""
    return [{"text": "", "topic": kept_topic(c.get("topic"))} for c in concerns]


def blank_redacted(concerns: list[dict[str, Any]], follow_ups: int) -> dict[str, Any]:
    return {
        "concerns": [{"text": "", "topic": kept_topic(c.get("topic")), "location": None} for c in concerns],
        "notes": "",
        "follow_ups": [""] * follow_ups,
        "place_name": None,
    }


def blank_note_event(data: dict[str, Any]) -> dict[str, Any]:
    """note.submitted / note.revised data without words (the counts a consumer needs stay)."""
    concerns = data.get("concerns") or []
    return {
        **data,
        "concerns": [
            {"text": "", "topic": kept_topic(c.get("topic")), "location": None, "point": None} for c in concerns
        ],
        "text": "",
        "follow_ups": [""] * len(data.get("follow_ups") or []),
    }


def _blank_row(row: Any) -> None:
    """Blank a ``Note`` or ``NoteRevision`` in place."""
    concerns = list(row.concerns or [])
    follow_ups = len(row.follow_ups or [])
    row.concerns = blank_concerns(concerns)
    row.text = ""
    row.follow_ups = [""] * follow_ups
    row.place_name = None
    row.lat = row.lon = None
    row.redacted = blank_redacted(concerns, follow_ups)


async def erase_note(
    session: AsyncSession,
    outbox: Outbox,
    note_id: uuid.UUID,
    *,
    reason: ErasureReason,
    by: str,
    reader: Principal | None = None,
) -> tuple[Erasure, bool]:
    """Erase a note's words; returns the erasure and whether it happened now (False: it had already).

    ``reader`` (a request's caller) must read the words of the note's district, else 404.
    """
    repo = ErasureRepository(session)
    note = await repo.note(note_id)
    if note is None or (reader is not None and not reader.reads_words_of(note.district)):
        raise NotFound(f"no note {note_id}")
    done = await repo.get("note", note_id)
    if done is not None:
        return done, False
    erased_at = datetime.now(UTC)
    _blank_row(note)
    note.content_hash = None
    note.erased_at = erased_at  # no revision may write words into it again (notes/service.py)
    for revision in await repo.revisions(note_id):
        _blank_row(revision)
    if note.meeting_id is not None:  # where it was said, and who co-hosted it
        await repo.erase_meeting(note.meeting_id)
    # The note's key goes with this commit: every event that carried its words sealed (on every
    # topic, in every outbox still holding one) can no longer be opened (docs/adr/0014).
    await shred(session, [note_id])
    # Version-1 events still waiting from before the words were sealed carry them in clear.
    await rewrite_pending(
        session, outbox, [NoteSubmitted.TYPE, NoteRevised.TYPE], {"note_id": str(note_id)}, blank_note_event
    )
    erasure = await repo.add(
        Erasure(
            kind="note", entity_id=note_id, district=note.district, reason=reason, erased_by=by, erased_at=erased_at
        )
    )
    await outbox.add(session, NoteErased(note_id=note_id, district=note.district, erased_at=erased_at, reason=reason))
    log.info("note erased", extra={"note_id": str(note_id), "district": note.district, "reason": reason})
    return erasure, True


async def erase_contact(
    session: AsyncSession,
    outbox: Outbox,
    contact_id: uuid.UUID,
    *,
    reason: ErasureReason,
    by: str,
    reader: Principal | None = None,
) -> tuple[Erasure, bool]:
    """Erase a contact's words; returns the erasure and whether it happened now."""
    repo = ErasureRepository(session)
    contact = await repo.contact(contact_id)
    if contact is None or (reader is not None and not reader.reads_words_of(contact.district)):
        raise NotFound(f"no contact {contact_id}")
    done = await repo.get("contact", contact_id)
    if done is not None:
        return done, False
    contact.note = None
    contact.place_name = None
    contact.lat = contact.lon = None
    contact.idempotency_key = None
    contact.fingerprint = "erased"
    erased_at = datetime.now(UTC)
    erasure = await repo.add(
        Erasure(
            kind="contact",
            entity_id=contact_id,
            district=contact.district,
            reason=reason,
            erased_by=by,
            erased_at=erased_at,
        )
    )
    occurred = contact.occurred_at.astimezone(UTC)
    await outbox.add(
        session,
        ContactErased(
            contact_id=contact_id,
            district=contact.district,
            month=occurred.date().replace(day=1),
            erased_at=erased_at,
            reason=reason,
        ),
    )
    log.info("contact erased", extra={"contact_id": str(contact_id), "district": contact.district, "reason": reason})
    return erasure, True


@dataclass
class RetentionReport:
    """What a retention round erased (or, in a dry run, would erase)."""

    notes: int = 0
    contacts: int = 0
    imports: int = 0
    #: Meetings whose place, co-hosts and exact point went (held before the notes' period).
    meetings: int = 0
    dry_run: bool = False


@dataclass(frozen=True)
class Cutoffs:
    notes: datetime
    contacts: datetime
    imports: datetime

    @classmethod
    def of(cls, settings: IntakeSettings, now: datetime) -> Cutoffs:
        return cls(
            notes=now - timedelta(days=settings.retention_notes_days),
            contacts=now - timedelta(days=settings.retention_contacts_days),
            imports=now - timedelta(days=settings.retention_imports_days),
        )


async def _in_batches(
    sessions: async_sessionmaker[AsyncSession], step: Callable[[AsyncSession], Awaitable[int]], batch: int
) -> int:
    """Run ``step`` (one batch, its own transaction) until a batch comes back short; the total done."""
    done = 0
    while True:
        async with sessions() as session, session.begin():
            n = await step(session)
        done += n
        if n < batch:
            return done


async def retention_round(
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    settings: IntakeSettings,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionReport:
    """Erase whatever is past its retention period, one transaction per batch; a dry run counts it."""
    cut = Cutoffs.of(settings, now or datetime.now(UTC))
    report = RetentionReport(dry_run=dry_run)
    if dry_run:
        async with sessions() as session, session.begin():
            repo = ErasureRepository(session)
            report.notes = await repo.count_notes_due(cut.notes)
            report.contacts = await repo.count_contacts_due(cut.contacts)
            report.imports = await repo.count_imports_due(cut.imports)
            report.meetings = await repo.count_meetings_due(cut.notes)
        return report
    batch = settings.retention_batch

    async def erase_notes(session: AsyncSession) -> int:
        ids = await ErasureRepository(session).notes_due(cut.notes, batch)
        for note_id in ids:
            await erase_note(session, outbox, note_id, reason="retention", by="retention")
        return len(ids)

    async def erase_contacts(session: AsyncSession) -> int:
        ids = await ErasureRepository(session).contacts_due(cut.contacts, batch)
        for contact_id in ids:
            await erase_contact(session, outbox, contact_id, reason="retention", by="retention")
        return len(ids)

    async def erase_imports(session: AsyncSession) -> int:
        return await ErasureRepository(session).erase_imports(cut.imports, batch)

    async def erase_meetings(session: AsyncSession) -> int:
        return await ErasureRepository(session).erase_meetings(cut.notes, batch)

    report.notes = await _in_batches(sessions, erase_notes, batch)
    report.contacts = await _in_batches(sessions, erase_contacts, batch)
    report.imports = await _in_batches(sessions, erase_imports, batch)
    report.meetings = await _in_batches(sessions, erase_meetings, batch)
    if report.notes or report.contacts or report.imports or report.meetings:
        log.info(
            "retention erased",
            extra={
                "notes": report.notes,
                "contacts": report.contacts,
                "imports": report.imports,
                "meetings": report.meetings,
            },
        )
    return report
