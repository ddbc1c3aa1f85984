"""Notes from a file: each row is the ``NoteIn`` form of ``POST /v1/notes`` (read here; checked
and filed by ``imports/service.py`` with ``submit_note``).

The dry run validates the form (the API's model), then ``check_note`` (place, meeting, date)
exactly as the route does, plus the import's age limit. The commit calls ``submit_note`` itself,
row by row, with the file's host as the author: the note, its revision 1, its redacted copy and
its ``note.submitted`` event are the API's, and a note whose id is already there with the same
form is a harmless retry (``created`` false), which makes a re-run batch add nothing.
Notes are hundreds of rows, not hundreds of thousands: one call per row is fast enough.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from porchlight.intake.forms.checks import form_hash
from porchlight.intake.imports.parsing.columns import MAX_CONCERNS
from porchlight.intake.imports.parsing.rows import (
    Cells,
    Checked,
    Rules,
    Staged,
    place_field,
    without_values,
)
from porchlight.intake.imports.parsing.values import parse_count, parse_sentiment, split_list
from porchlight.intake.notes.schemas import NoteIn

FORMS = TypeAdapter(list[NoteIn])
_LOC = {"held_at": "date", "notes": "notes", "follow_ups": "follow_ups"}
CONTEXT_FIELDS = {"meeting_id": "meeting_id", "place": "district", "held_at": "date"}


def form_input(cells: Cells, rules: Rules) -> tuple[dict[str, Any], list[str]]:
    """The row as ``NoteIn`` JSON, and for each concern the field it came from."""
    concerns: list[dict[str, str]] = []
    origin: list[str] = []
    for item in split_list(cells.values.get("concerns")):
        concerns.append({"text": item})
        origin.append("concerns")
    for i in range(1, MAX_CONCERNS + 1):
        text, topic = cells.text(f"concern_{i}"), cells.text(f"topic_{i}")
        if text:
            concerns.append({"text": text, **({"topic": topic} if topic else {})})
            origin.append(f"concern_{i}")
        elif topic:
            cells.problem(f"topic_{i}", "a topic without its concern")
    held_at = cells.when(rules)
    if held_at is not None and held_at < rules.now - rules.max_age:
        cells.problem("date", f"is more than {rules.max_age.days} days in the past")
    point = cells.point()
    parts = {
        "district": cells.text("district"),
        "neighborhood": cells.text("neighborhood"),
        "point": point.model_dump() if point else None,
        "place_name": cells.text("place_name"),
    }
    place = {k: v for k, v in parts.items() if v is not None}
    data: dict[str, Any] = {
        "id": cells.entity_id(rules),
        "meeting_id": cells.text("meeting_id"),
        "place": place or None,
        "held_at": held_at,
        "concerns": concerns,
        "sentiment": cells.take("sentiment", parse_sentiment, required=True),
        "attendees": cells.take("attendees", parse_count, required=True),
        "follow_ups": split_list(cells.values.get("follow_ups")),
        "notes": cells.values.get("notes") or "",
    }
    return {k: v for k, v in data.items() if v is not None}, origin


def locator(origin: list[str]) -> Any:
    def locate(loc: tuple[Any, ...]) -> str:
        head = str(loc[0]) if loc else "row"
        if head == "place":
            return place_field([str(p) for p in loc])
        if head == "concerns" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(origin):
            source = origin[loc[1]]
            if len(loc) > 2 and loc[2] == "topic" and source.startswith("concern_"):
                return source.replace("concern_", "topic_")
            return source
        return _LOC.get(head, head)

    return locate


def plain(message: str, data: dict[str, Any]) -> str:
    """A place message without the value typed in the file."""
    place = data.get("place") or {}
    return without_values(message, [place.get("district"), place.get("neighborhood")])


def stage(item: Checked[NoteIn]) -> Staged:
    form = item.form
    assert form.id is not None
    payload = {"host": item.extra["host"], "form": form.model_dump(mode="json")}
    return Staged(item.cells.row, form.id, form_hash(form), payload)
