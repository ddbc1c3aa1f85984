"""Notes from a file: each row is the ``NoteIn`` form of ``POST /v1/notes``, filed by ``submit_note``.

The dry run validates the form (the API's model), then ``check_note`` (place, meeting, date)
exactly as the route does, plus the import's age limit. The commit calls ``submit_note`` itself,
row by row, with the file's host as the author: the note, its revision 1, its redacted copy and
its ``note.submitted`` event are the API's, and a note whose id is already there with the same
form is a harmless retry (``created`` false), which makes a re-run batch add nothing.
Notes are hundreds of rows, not hundreds of thousands: one call per row is fast enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox
from porchlight.intake.imports.columns import MAX_CONCERNS
from porchlight.intake.imports.contact_rows import Committed, Staged
from porchlight.intake.imports.rows import (
    Cells,
    Checked,
    Issue,
    Rules,
    form_issues,
    place_field,
    validate_forms,
    without_values,
)
from porchlight.intake.imports.values import parse_count, parse_sentiment, split_list
from porchlight.intake.meetings.forms import form_hash
from porchlight.intake.notes.schemas import NoteContext, NoteIn
from porchlight.intake.notes.service import check_note, submit_note
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, ValidationProblem

_FORMS = TypeAdapter(list[NoteIn])
_LOC = {"held_at": "date", "notes": "notes", "follow_ups": "follow_ups"}
_CONTEXT_FIELDS = {"meeting_id": "meeting_id", "place": "district", "held_at": "date"}


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


def _locator(origin: list[str]) -> Any:
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


async def check(
    session: AsyncSession, settings: IntakeSettings, cells_list: Sequence[Cells], rules: Rules
) -> list[Checked[NoteIn]]:
    """Forms, then ``check_note`` (places, meetings, the clock) on the parts that are well-typed."""
    hosts = [c.person("host") for c in cells_list]
    built = [form_input(c, rules) for c in cells_list]
    results = validate_forms(_FORMS, NoteIn, [data for data, _ in built], {})
    checked: list[Checked[NoteIn]] = []
    for cells, host, (data, origin), result in zip(cells_list, hosts, built, results, strict=True):
        context: NoteContext | None = None
        if isinstance(result, ValidationError):
            form_issues(cells, result, _locator(origin))
            bad = {str(e["loc"][0]) for e in result.errors() if e["loc"]}
            parts = {k: data[k] for k in _CONTEXT_FIELDS if k in data and k not in bad}
            try:
                context = NoteContext.model_validate(parts)
            except ValidationError:
                context = None
        else:
            context = result
        if context is not None and (context.place is not None or context.meeting_id is not None):
            _, errors = await check_note(session, settings, context)
            for err in errors:
                name = _locator(origin)(tuple(err["field"].split(".")[1:]))
                if not cells.bad(name):
                    cells.problem(name, _plain(err["message"], data))
        elif context is not None and not (cells.bad("district") or cells.bad("lat")):
            cells.problem("district", "give a district, lat and lon, or a meeting id")
        if isinstance(result, ValidationError) or host is None or cells.issues:
            continue
        checked.append(Checked(cells, result, {"host": host}))
    return checked


def _plain(message: str, data: dict[str, Any]) -> str:
    """A place message without the value typed in the file."""
    place = data.get("place") or {}
    return without_values(message, [place.get("district"), place.get("neighborhood")])


def stage(item: Checked[NoteIn]) -> Staged:
    form = item.form
    assert form.id is not None
    payload = {"host": item.extra["host"], "form": form.model_dump(mode="json")}
    return Staged(item.cells.row, form.id, form_hash(form), payload)


async def commit(
    session: AsyncSession, outbox: Outbox, settings: IntakeSettings, staged: Sequence[tuple[int, dict[str, Any]]]
) -> Committed:
    """File each staged note with ``submit_note`` (flush only); refusals become issues."""
    result = Committed()
    for row, payload in staged:
        form = NoteIn.model_validate(payload["form"])
        host = Principal(subject=payload["host"], roles=frozenset({Role.liaison}))
        try:
            _, created = await submit_note(session, outbox, settings, form, host)
        except Conflict:
            result.issues.append(Issue(row, "id", "a different note with this id is already in intake"))
            continue
        except ValidationProblem as exc:  # the city's places or a meeting changed since the dry run
            for err in exc.errors or [{"field": "row", "message": exc.detail}]:
                name = _locator([])(tuple(err["field"].split(".")[1:]))
                result.issues.append(Issue(row, name, _plain(err["message"], payload["form"])))
            continue
        if created:
            result.created += 1
        else:
            result.existing += 1
    return result
