"""Validation messages are written for people (issue 14, item 5): ``human_message`` turns
pydantic's errors into sentences, and ``field_errors`` keeps the field and the code beside them.

Runs pydantic on real models (no server): the errors are the very ones FastAPI hands the handler.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from porchlight.kit.errors import PROBLEM_SCHEMA, field_errors, human_error, human_message

DEVELOPER_WORDS = re.compile(r"\^|\[a-z\]|String should|Input should|valid datetime|Value error|pattern|BCP 47")


def _fussy(value: str) -> str:
    if value == "no":
        raise ValueError("this answer is not allowed here")
    return value


def _code(value: str) -> str:
    if not value.isupper():
        raise human_error("shouting", "Write it in capitals, e.g. ABC.")
    return value


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=5)
    code: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    count: int = Field(ge=0, le=500)
    when: AwareDatetime
    day: datetime
    kind: Literal["library", "park"]
    items: list[int] = Field(max_length=2)
    fussy: Annotated[str, AfterValidator(_fussy)]
    caps: Annotated[str, AfterValidator(_code)]


def errors_of(data: dict[str, object]) -> dict[str, dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(data)
    exc = RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()])
    return {e["field"]: e for e in field_errors(exc)}


def test_each_error_gets_a_sentence_for_people_with_its_field_and_code() -> None:
    found = errors_of(
        {
            "name": "toolong",
            "code": "English",
            "count": 501,
            "when": "2026-12-05T18:30",
            "day": "next tuesday",
            "kind": "pub",
            "items": [1, 2, 3],
            "fussy": "no",
            "caps": "abc",
            "colour": "red",
        }
    )
    assert {f: (e["code"], e["message"]) for f, e in found.items()} == {
        "body.name": ("string_too_long", "Use at most 5 characters."),
        "body.code": ("string_pattern_mismatch", "This is not in the expected form."),
        "body.count": ("less_than_equal", "Enter 500 or less."),
        "body.when": ("timezone_aware", "Give the time zone too, e.g. 2026-12-05 18:30-05:00."),
        "body.day": ("datetime_from_date_parsing", "Enter a date and time, e.g. 2026-12-05 18:30."),
        "body.kind": ("literal_error", "Choose one of the listed options."),
        "body.items": ("too_long", "Give at most 2 here."),
        "body.fussy": ("value_error", "This answer is not allowed here."),
        "body.caps": ("shouting", "Write it in capitals, e.g. ABC."),
        "body.colour": ("extra_forbidden", "This form has no such field: leave it out."),
    }
    for e in found.values():
        assert not DEVELOPER_WORDS.search(e["message"]), e


def test_missing_empty_and_wrong_types() -> None:
    found = errors_of({"name": "", "count": "six", "items": 3})
    assert found["body.name"]["message"] == "This cannot be empty."
    assert found["body.count"] == {"field": "body.count", "code": "int_parsing", "message": "Enter a whole number."}
    assert found["body.items"]["code"] == "list_type"
    assert found["body.when"] == {"field": "body.when", "code": "missing", "message": "This is required."}
    for e in found.values():
        assert not DEVELOPER_WORDS.search(e["message"]), e


def test_an_unknown_pydantic_error_still_reads_as_a_sentence() -> None:
    # A pydantic type without a sentence of its own: a plain one, never pydantic's words.
    message = human_message({"type": "decimal_max_digits", "msg": "Decimal input should have no more than 3 digits"})
    assert message == "This value is not accepted."


def test_the_problem_schema_documents_the_code() -> None:
    item = PROBLEM_SCHEMA["properties"]["errors"]["items"]
    assert item["required"] == ["field", "message"] and "code" in item["properties"]
    assert PROBLEM_SCHEMA["examples"][0]["errors"][0]["code"]
