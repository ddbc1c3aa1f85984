"""Shapes of departments and teams."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.kit.inputs import SingleLine
from porchlight.projects.inputs.fields import Input

DepartmentKind = Literal[
    "police", "public_works", "parks", "schools", "health", "code_enforcement", "social_services", "other"
]
Code = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")

_DEPARTMENT: JsonDict = {"code": "public-works", "name": "Public Works", "kind": "public_works"}
_TEAM: JsonDict = {
    "code": "police-social",
    "name": "Police and social worker",
    "departments": ["police", "social-services"],
}


class DepartmentIn(Input):
    """A new department: its code (lower case, digits, hyphens), name and kind."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DEPARTMENT]})

    code: str = Code
    #: One line: it heads calendar feeds and files, where a line break ends the field.
    name: SingleLine = Field(min_length=2, max_length=200)
    kind: DepartmentKind = "other"


class DepartmentOut(BaseModel):
    """A department that owns micro-projects and tasks."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_DEPARTMENT]})

    code: str
    name: str
    kind: str


class TeamIn(Input):
    """A co-response team pairs departments (police with a social worker, health, code enforcement)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TEAM]})

    code: str = Code
    name: SingleLine = Field(min_length=2, max_length=200)
    departments: list[str] = Field(min_length=2, max_length=10)


class TeamOut(BaseModel):
    """A co-response team: all of its departments own its cards."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_TEAM]})

    code: str
    name: str
    departments: list[str]
