"""Shapes of departments and teams."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from porchlight.projects.inputs import Input

DepartmentKind = Literal[
    "police", "public_works", "parks", "schools", "health", "code_enforcement", "social_services", "other"
]
Code = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")


class DepartmentIn(Input):
    code: str = Code
    name: str = Field(min_length=2, max_length=200)
    kind: DepartmentKind = "other"


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str


class TeamIn(Input):
    """A co-response team pairs departments (police with a social worker, health, code enforcement)."""

    code: str = Code
    name: str = Field(min_length=2, max_length=200)
    departments: list[str] = Field(min_length=2, max_length=10)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    departments: list[str]
