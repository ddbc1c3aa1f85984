"""What every service's input shares (issue 15): control characters refused at every door with a
422 naming the field, dates and months within reason, numbers that are numbers, one-line fields,
patches that cannot empty what must be there; and CSV cells no spreadsheet runs as formulas.

The door is the kit's app (``create_app``) with a route of this test's own, served in process.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, StrictInt, ValidationError

from porchlight.events import Outbox
from porchlight.kit.app import create_app
from porchlight.kit.auth import Public
from porchlight.kit.errors import field_errors
from porchlight.kit.inputs import (
    Day,
    FreeText,
    NotNull,
    SingleLine,
    csv_cell,
    looks_like_formula,
    neutralize,
    parse_month,
    printable,
    unneutralize,
)
from porchlight.kit.paging import Cursor, _check_cursor
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings


class Form(BaseModel):
    name: SingleLine = Field(max_length=50)
    words: FreeText = ""
    tags: list[str] = Field(default_factory=list)
    place: dict[str, Any] = Field(default_factory=dict)
    count: int = Field(default=0, strict=True)
    day: Day | None = None


class Patch(BaseModel):
    title: Annotated[SingleLine | None, NotNull] = Field(default=None, min_length=3)
    note: str | None = None


def _client() -> TestClient:
    router = APIRouter(dependencies=[Depends(Public("test"))])

    @router.get("/things/{code}")
    async def find_things(code: str, district: Annotated[str | None, Query()] = None) -> dict[str, Any]:
        """Find things."""
        return {"code": code, "district": district}

    @router.post("/forms")
    async def post_form(form: Form) -> dict[str, Any]:
        """Post a form."""
        return form.model_dump(mode="json")

    metadata = sa.MetaData(schema="doors")
    spec = ServiceSpec(
        name="doors",
        title="doors",
        default_port=9998,
        metadata=metadata,
        outbox=Outbox(metadata, source="/porchlight/doors"),
        migrations_dir=Path("."),
        routers=[router],
    )
    return TestClient(create_app(spec, KitSettings()))  # no lifespan: no database needed


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


@pytest.mark.parametrize("bad", ["\x00", "A1\x00", "a\nb", "a\rb", "\x1b[31m", "tab\there", "del\x7f"])
def test_a_control_character_in_a_query_or_path_parameter_is_a_422_naming_it(bad: str) -> None:
    client = _client()
    assert _problem(client.get("/things/x", params={"district": bad})) == [("query.district", "control_character")]
    assert _problem(client.get(f"/things/{quote(bad, safe='')}")) == [("path.code", "control_character")]
    message = client.get("/things/x", params={"district": bad}).json()["errors"][0]["message"]
    assert message == "Keep this to one line: remove line breaks, tabs and invisible control characters."


def test_clean_parameters_and_parameters_a_route_does_not_read_pass() -> None:
    client = _client()
    r = client.get("/things/Ñandú", params={"district": "B2 \u2013 Roxbury", "utm": "\x00"})
    assert r.status_code == 200 and r.json() == {"code": "Ñandú", "district": "B2 \u2013 Roxbury"}


def test_a_control_character_in_any_string_of_a_json_body_is_a_422_naming_where() -> None:
    client = _client()
    body = {"name": "ok", "words": "a\x00b", "tags": ["fine", "b\x07d"], "place": {"nested": {"x": "\x0c"}}}
    assert _problem(client.post("/forms", json=body)) == [
        ("body.words", "control_character"),
        ("body.tags.1", "control_character"),
        ("body.place.nested.x", "control_character"),
    ]
    assert _problem(client.post("/forms", json={"name": "ok", "place": {"k\x00": 1}})) == [
        ("body.place.k\x00", "control_character")
    ]


def test_free_text_keeps_its_line_breaks_and_tabs_a_single_line_does_not() -> None:
    client = _client()
    r = client.post("/forms", json={"name": "Public Works", "words": "line one\r\nline two\twith a tab"})
    assert r.status_code == 200, r.text
    assert r.json()["words"] == "line one\r\nline two\twith a tab"
    [error] = client.post("/forms", json={"name": "Public\r\nWorks"}).json()["errors"]
    assert (error["field"], error["code"]) == ("body.name", "control_character")
    assert "one line" in error["message"]


@pytest.mark.parametrize("value", ["3", True, 3.0, "three"])
def test_a_strict_number_refuses_text_and_booleans_in_words_for_people(value: Any) -> None:
    [error] = _client().post("/forms", json={"name": "ok", "count": value}).json()["errors"]
    assert (error["field"], error["message"]) == ("body.count", "Enter a whole number.")


def test_strict_types_errors_read_as_sentences() -> None:
    class Strict(BaseModel):
        n: StrictInt
        yes: bool = Field(strict=True)
        x: float = Field(strict=True)

    with pytest.raises(ValidationError) as caught:
        Strict.model_validate({"n": "1", "yes": "true", "x": "1.5"})
    found = field_errors(RequestValidationError(caught.value.errors()))
    assert {e["field"]: e["message"] for e in found} == {
        "n": "Enter a whole number.",
        "yes": "Choose yes or no.",
        "x": "Enter a number.",
    }


def test_a_day_or_month_outside_this_century_is_refused_in_words() -> None:
    [error] = _client().post("/forms", json={"name": "ok", "day": "9999-12-31"}).json()["errors"]
    assert error == {
        "field": "body.day",
        "message": "Enter a date between 2000-01-01 and 2100-12-31.",
        "code": "date_out_of_range",
    }
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert parse_month("2100-12") == date(2100, 12, 1)
    for bad, words in [
        ("9999-12", "between 2000-01 and 2100-12"),
        ("1999-12", "between 2000-01 and 2100-12"),
        ("2026-13", "01 to 12"),
        ("2026-1", "YYYY-MM"),
        ("\uff12\uff10\uff12\uff16-11", "YYYY-MM"),
        ("", "YYYY-MM"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_month(bad)


def test_a_patch_may_leave_a_field_out_or_empty_a_nullable_one_but_not_null_one_that_must_be_there() -> None:
    assert Patch.model_validate({}).model_fields_set == set()
    assert Patch.model_validate({"note": None}).note is None
    with pytest.raises(ValidationError) as caught:
        Patch.model_validate({"title": None})
    [error] = field_errors(RequestValidationError(caught.value.errors()))
    assert error == {
        "field": "title",
        "message": "This cannot be emptied: leave it out to keep it as it is.",
        "code": "null_not_allowed",
    }
    with pytest.raises(ValidationError):
        Patch.model_validate({"title": "a\nb"})


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 617 555 0100", "'+1 617 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-71.0589", "-71.0589"),  # a negative number as text is a number, not a formula
        (-71.0589, "-71.0589"),
        (-3, "-3"),
        (0, "0"),
        (True, "True"),
        ("plain words", "plain words"),
        ("a = b", "a = b"),
        (None, ""),
        (datetime(2026, 12, 5, 18, 30, tzinfo=UTC), "2026-12-05T18:30:00Z"),
        (date(2026, 12, 5), "2026-12-05"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    ],
)
def test_csv_cells_are_never_formulas_and_numbers_stay_numbers(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize("text", ["=1+2", "-x", "@a", "+", "plain", "'=already quoted", "-5", "'"])
def test_a_neutralized_cell_reads_back_as_it_was(text: str) -> None:
    assert unneutralize(neutralize(text)) == text
    assert not looks_like_formula(neutralize(text))
    assert neutralize("'=x") == "''=x"  # already reads as quoted: quoted once more


@pytest.mark.parametrize("parts", [["vv", 10**20, 1], ["vv", 1, -(10**20)], ["vu", 2**63, str(uuid.UUID(int=1))]])
def test_a_cursor_with_a_number_past_the_databases_is_not_one_this_api_issued(parts: list[Any]) -> None:
    token = base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")
    with pytest.raises(ValueError, match="not a cursor this API issued"):
        _check_cursor(token)
    assert Cursor.decode(Cursor(2**63 - 1, -(2**63)).encode()) == Cursor(2**63 - 1, -(2**63))


def test_escaped_letters_and_backslashes_are_not_control_characters() -> None:
    client = _client()
    raw = b'{"name": "Caf\\u00e9 \\\\u0000 C:\\\\bin", "words": "\\u00e9t\\u00e9\\n"}'
    r = client.post("/forms", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Café \\u0000 C:\\bin" and r.json()["words"] == "été\n"
    bad = client.post("/forms", content=b'{"name": "a\\u001Bb"}', headers={"Content-Type": "application/json"})
    assert _problem(bad) == [("body.name", "control_character")]


def test_a_refused_value_can_still_be_recorded_printably() -> None:
    assert printable("A1\x00\r\n\tB") == "A1\ufffd\ufffd\ufffd\ufffdB"
    assert printable("Caf\u00e9 B2") == "Caf\u00e9 B2"
