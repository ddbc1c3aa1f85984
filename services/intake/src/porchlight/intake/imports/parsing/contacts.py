"""Contacts from a file: the rows of ``POST /v1/contacts``, checked the same way (stored by
``imports/service.py``, the same way too).

Each row becomes the ``ContactIn`` form the API validates (same model, same limits, same
occurred_at rule, with the import's age limit instead of the phone's year), its place goes
through ``resolve_in`` (``resolve_place``'s rules, the batch's points placed at once: see
locate.py), and it is stored as ``log_contact`` stores one: the same columns, ``fingerprint``,
``contact_logged`` event and outbox row (``Outbox.add``). Only the insert differs: a batch is
one ``INSERT ... SELECT`` from the staged rows ``ON CONFLICT DO NOTHING RETURNING`` and one
outbox insert for the rows that went in, so a re-run batch adds nothing and publishes nothing
twice. The officer is the file's (a badge or employee number), not the importer;
``place_source`` is ``body``: the place is the row's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError

from porchlight.events.catalog import GeoPoint
from porchlight.intake.contacts.schemas import CONTEXT_MAX_AGE, CONTEXT_MAX_FUTURE, CONTEXT_NOW, ContactIn
from porchlight.intake.contacts.service import fingerprint
from porchlight.intake.imports.parsing.locate import BatchIndex
from porchlight.intake.imports.parsing.rows import (
    Cells,
    Checked,
    Issue,
    Rules,
    Staged,
    form_issues,
    place_field,
    place_issues,
    validate_forms,
)
from porchlight.intake.imports.parsing.values import parse_contact_type, parse_count, parse_minutes
from porchlight.intake.places.geometry.index import PlaceIndex
from porchlight.intake.places.service import ResolvedPlace, resolve_in
from porchlight.kit.errors import ValidationProblem

_FORMS = TypeAdapter(list[ContactIn])
_LOC = {"occurred_at": "date", "id": "id"}
_PLACE_CELLS = ("district", "neighborhood", "lat", "lon", "place_name")


def _locate(loc: tuple[Any, ...]) -> str:
    if loc and loc[0] == "place":
        return place_field([str(p) for p in loc])
    return _LOC.get(str(loc[0]), str(loc[0])) if loc else "row"


def form_input(cells: Cells, rules: Rules) -> dict[str, Any]:
    """The row as the ``ContactIn`` JSON a phone would send (cells that did not read left out)."""
    unit = "minutes" if "minutes" in cells.values else "hours"
    data: dict[str, Any] = {
        "id": cells.entity_id(rules),
        "contact_type": cells.take("contact_type", parse_contact_type, required=True),
        "minutes": cells.take(unit, lambda v: parse_minutes(v, unit=unit), required=True),
        "residents_reached": cells.take("residents_reached", parse_count, required=True),
        "occurred_at": cells.when(rules),
        "unit": cells.text("unit"),
        "note": cells.values.get("note"),
    }
    if unit == "hours":  # one field, whichever column it came from
        cells.issues = [Issue(i.row, "minutes", i.reason, i.column) if i.field == "hours" else i for i in cells.issues]
    point = cells.point()
    place = {
        "district": cells.text("district"),
        "neighborhood": cells.text("neighborhood"),
        "point": point.model_dump() if point else None,
        "place_name": cells.text("place_name"),
    }
    data["place"] = {k: v for k, v in place.items() if v is not None}
    return {k: v for k, v in data.items() if v is not None}


def check(cells_list: Sequence[Cells], rules: Rules, index: PlaceIndex) -> list[Checked[ContactIn]]:
    """Forms and places of a batch: the good rows; the others keep their issues in their ``Cells``.

    The place is resolved even when the form has errors elsewhere, so a row's report names
    every bad field at once.
    """
    officers = [c.person("officer") for c in cells_list]
    inputs = [form_input(c, rules) for c in cells_list]
    points = [(p["lat"], p["lon"]) for data in inputs if (p := data["place"].get("point"))]
    located = cast(PlaceIndex, BatchIndex(index, points))  # the same answers, one query per batch
    context = {CONTEXT_NOW: rules.now, CONTEXT_MAX_FUTURE: rules.max_future, CONTEXT_MAX_AGE: rules.max_age}
    checked: list[Checked[ContactIn]] = []
    for cells, officer, data, result in zip(
        cells_list, officers, inputs, validate_forms(_FORMS, ContactIn, inputs, context), strict=True
    ):
        if isinstance(result, ValidationError):
            form_issues(cells, result, _locate)
        resolved = resolve_row_place(cells, data["place"], located)
        if isinstance(result, ValidationError) or resolved is None or officer is None or cells.issues:
            continue
        checked.append(Checked(cells, result, {"officer": officer, "place": resolved}))
    return checked


def resolve_row_place(cells: Cells, place: dict[str, Any], index: PlaceIndex) -> ResolvedPlace | None:
    """``resolve_in`` on the row's place cells; None (and the issues) when it is not a place."""
    if any(cells.bad(f) for f in _PLACE_CELLS):
        return None
    if not (place.get("district") or place.get("point")):
        cells.problem("district", "give a district, or lat and lon")
        return None
    point = GeoPoint(**place["point"]) if place.get("point") else None
    try:
        return resolve_in(
            index,
            district=place.get("district"),
            neighborhood=place.get("neighborhood"),
            point=point,
            place_name=place.get("place_name"),
            field="place",
        )
    except ValidationProblem as exc:
        place_issues(cells, exc.errors or [], [place.get("district"), place.get("neighborhood")], point, index)
        return None


def stage(item: Checked[ContactIn]) -> Staged:
    """The contact's row exactly as ``log_contact`` would insert it."""
    form, resolved = item.form, item.extra["place"]
    assert form.id is not None and form.occurred_at is not None
    values: dict[str, Any] = {
        "id": form.id,
        "officer_id": item.extra["officer"],
        "unit": form.unit,
        "contact_type": form.contact_type,
        "minutes": form.minutes,
        "residents_reached": form.residents_reached,
        "occurred_at": form.occurred_at,
        "district": resolved.district,
        "neighborhood": resolved.neighborhood,
        "lat": resolved.point.lat if resolved.point else None,
        "lon": resolved.point.lon if resolved.point else None,
        "place_name": resolved.place_name,
        "place_source": "body",
        "note": form.note,
        "idempotency_key": None,
        "fingerprint": fingerprint(form),
    }
    payload = {**values, "id": str(form.id), "occurred_at": form.occurred_at.isoformat()}
    return Staged(item.cells.row, form.id, values["fingerprint"], payload)
