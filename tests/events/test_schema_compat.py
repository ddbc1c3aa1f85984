"""A committed event schema may only evolve compatibly (docs/architecture.md, "Event flow").

The first test is the real gate: the catalog against docs/schemas/ and each version against the
previous one. The rest prove the checker catches what it must (and accepts a new optional field),
using pydantic models shaped like catalog events so the schemas look like the real ones.
"""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, Field

from porchlight.events.asyncapi import all_event_schemas
from porchlight.events.compat import (
    check_catalog,
    check_committed,
    check_compatible,
    check_family,
    load_schemas,
)

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_catalog_is_compatible_with_committed_schemas() -> None:
    problems = check_catalog(SCHEMAS_DIR)
    assert not problems, "incompatible event schema change:\n" + "\n".join(problems)


def test_every_catalog_type_is_committed() -> None:
    missing = set(all_event_schemas()) - set(load_schemas(SCHEMAS_DIR))
    assert not missing, f"run `make docs` to commit the schemas of {sorted(missing)}"


# --- a v1 event and its evolutions -----------------------------------------------------------


class Point(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float


class V1(BaseModel):
    note_id: UUID
    district: str
    kind: Literal["win", "bulletin"]
    attendees: int | None = None
    at: datetime
    point: Point | None = None
    tags: list[str] = Field(default_factory=list)


def schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def test_identical_schema_is_compatible() -> None:
    assert check_compatible(schema(V1), schema(V1)) == []
    assert check_compatible(schema(V1), schema(V1), strict=True) == []


def test_new_optional_field_is_accepted() -> None:
    class V2(V1):
        language: str = "en"
        meeting_id: UUID | None = None

    assert check_compatible(schema(V1), schema(V2)) == []
    assert check_compatible(schema(V1), schema(V2), strict=True) == []


def test_removed_field_is_caught() -> None:
    class V2(BaseModel):
        note_id: UUID
        kind: Literal["win", "bulletin"]
        attendees: int | None = None
        at: datetime
        point: Point | None = None
        tags: list[str] = Field(default_factory=list)

    problems = check_compatible(schema(V1), schema(V2))
    assert problems == ["district: property removed"]


def test_new_required_field_is_caught() -> None:
    class V2(V1):
        host_id: str

    assert check_compatible(schema(V1), schema(V2)) == ["host_id: new required property"]


def test_optional_field_made_required_is_caught() -> None:
    class V2(V1):
        attendees: int

    problems = check_compatible(schema(V1), schema(V2))
    assert any(p.startswith("attendees: became required") for p in problems)
    assert any(p.startswith("attendees: type narrowed") for p in problems)  # null no longer allowed


def test_changed_type_is_caught() -> None:
    class V2(V1):
        district: int  # type: ignore[assignment]

    problems = check_compatible(schema(V1), schema(V2))
    assert problems == ["district: type narrowed or changed from string to integer"]


def test_changed_type_in_nested_model_is_caught() -> None:
    class Point2(BaseModel):
        lat: str
        lon: float

    class V2(V1):
        point: Point2 | None = None  # type: ignore[assignment]

    problems = check_compatible(schema(V1), schema(V2))
    assert "point.lat: type narrowed or changed from number to string" in problems


def test_changed_item_type_is_caught() -> None:
    class V2(V1):
        tags: list[int] = Field(default_factory=list)  # type: ignore[assignment]

    assert check_compatible(schema(V1), schema(V2)) == ["tags[]: type narrowed or changed from string to integer"]


def test_removed_enum_value_is_caught() -> None:
    class V2(V1):
        kind: Literal["win"]

    assert check_compatible(schema(V1), schema(V2)) == ['kind: enum value(s) removed: "bulletin"']


def test_added_enum_value_is_only_caught_in_strict_mode() -> None:
    class V2(V1):
        kind: Literal["win", "bulletin", "alert"]  # type: ignore[assignment]

    assert check_compatible(schema(V1), schema(V2)) == []
    assert check_compatible(schema(V1), schema(V2), strict=True) == ['kind: enum value(s) added: "alert"']


def test_tighter_bound_is_caught() -> None:
    class Point2(BaseModel):
        lat: float = Field(ge=0, le=90)
        lon: float

    class V2(V1):
        point: Point2 | None = None  # type: ignore[assignment]

    assert check_compatible(schema(V1), schema(V2)) == ["point.lat: minimum changed from -90 to 0"]


def test_widening_is_only_caught_in_strict_mode() -> None:
    class V2(V1):
        district: str | None = None  # type: ignore[assignment]

    assert check_compatible(schema(V1), schema(V2)) == []
    strict = check_compatible(schema(V1), schema(V2), strict=True)
    assert "district: type widened from string to null|string" in strict
    assert "district: no longer required (older readers require it)" in strict


# --- families and the committed files -------------------------------------------------------


def test_family_checks_each_version_against_the_previous() -> None:
    v1 = schema(V1)

    class V2(V1):
        language: str = "en"

    class V3(V2):
        pass

    v3 = copy.deepcopy(schema(V3))
    del v3["properties"]["district"]
    v3["required"].remove("district")
    schemas = {
        "org.x.note.submitted.v1": v1,
        "org.x.note.submitted.v2": schema(V2),
        "org.x.note.submitted.v3": v3,
        "org.x.other.done.v1": v1,
    }
    problems = check_family(schemas)
    assert problems == [
        "org.x.note.submitted.v3 is not a compatible evolution of org.x.note.submitted.v2: district: property removed"
    ]


def test_family_rejects_unversioned_type() -> None:
    assert check_family({"org.x.note.submitted": schema(V1)}) != []


def test_committed_type_removed_or_changed_is_caught() -> None:
    class V1Edited(V1):
        district: int  # type: ignore[assignment]

    committed = {"org.x.a.v1": schema(V1), "org.x.b.v1": schema(V1)}
    problems = check_committed(committed, {"org.x.a.v1": schema(V1Edited)})
    assert any("org.x.a.v1 changed incompatibly" in p and "district" in p for p in problems)
    assert any("org.x.b.v1 was removed" in p for p in problems)


def test_real_catalog_change_would_be_caught() -> None:
    """Tamper with a committed schema (as if the catalog had dropped a field since)."""
    current = all_event_schemas()
    event_type = "org.porchlight.note.submitted.v1"
    tampered = copy.deepcopy(current[event_type])
    tampered["properties"]["legacy_field"] = {"type": "string"}
    tampered["required"].append("legacy_field")
    problems = check_committed({event_type: tampered}, current)
    assert any("legacy_field: property removed" in p for p in problems)


@pytest.mark.parametrize("event_type", sorted(all_event_schemas()))
def test_catalog_schema_is_self_compatible(event_type: str) -> None:
    s = all_event_schemas()[event_type]
    assert check_compatible(s, s, strict=True) == []
