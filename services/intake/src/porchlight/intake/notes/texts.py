"""A note's texts, raw or redacted, and how they leave intake (API, events, exports).

Texts are redacted once, when a revision is stored, and the copy is kept with it: the event,
the lists and the CSV export then carry the very same redacted words. Raw text is only read
back for supervisors who ask for it (``?raw=true``, audited by the route).
"""

from __future__ import annotations

from typing import Any

from porchlight.events.catalog import Concern, GeoPoint
from porchlight.intake.meetings.schemas import PlaceOut
from porchlight.intake.notes.models import Note, NoteRevision
from porchlight.intake.privacy import redact


def _r(text: str | None) -> str | None:
    return None if text is None else redact(text).text


def redacted_copy(
    concerns: list[dict[str, Any]], text: str, follow_ups: list[str], place_name: str | None
) -> dict[str, Any]:
    """The redacted twin of a revision's free texts (a topic is typed in too: redacted as well)."""
    return {
        "concerns": [
            {"text": _r(c["text"]), "topic": _r(c.get("topic")), "location": _r(c.get("location"))} for c in concerns
        ],
        "notes": redact(text).text,
        "follow_ups": [redact(f).text for f in follow_ups],
        "place_name": _r(place_name),
    }


def redacted_of(row: Note | NoteRevision) -> dict[str, Any]:
    # Notes of the walking skeleton were stored before redaction was: redact them when read.
    return row.redacted or redacted_copy(list(row.concerns), row.text, list(row.follow_ups), row.place_name)


def _point(value: Any) -> GeoPoint | None:
    return None if value is None else GeoPoint.model_validate(value)


def concerns_of(row: Note | NoteRevision, *, raw: bool) -> list[Concern]:
    red = redacted_of(row)["concerns"]
    out = []
    for stored, hidden in zip(row.concerns, red, strict=True):
        shown = stored if raw else hidden
        out.append(
            Concern(
                text=shown["text"],
                topic=shown.get("topic"),
                location=shown.get("location"),
                point=_point(stored.get("point")),
            )
        )
    return out


def content_of(row: Note | NoteRevision, *, raw: bool) -> dict[str, Any]:
    """The fields of ``NoteContent``: raw texts only when ``raw``."""
    red = redacted_of(row)
    point = GeoPoint(lat=row.lat, lon=row.lon) if row.lat is not None and row.lon is not None else None
    return {
        "meeting_id": row.meeting_id,
        "place": PlaceOut(
            district=row.district,
            neighborhood=row.neighborhood,
            point=point,
            place_name=row.place_name if raw else red["place_name"],
        ),
        "concerns": [c.model_dump() for c in concerns_of(row, raw=raw)],
        "sentiment": row.sentiment,
        "attendees": row.attendees,
        "follow_ups": list(row.follow_ups) if raw else red["follow_ups"],
        "notes": row.text if raw else red["notes"],
        "held_at": row.held_at,
        "redacted": not raw,
    }
