"""What the web UI reads before sign-in, and the demo sign-in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DemoRole = Literal["officer", "liaison", "supervisor", "analyst", "partner"]


class WebConfig(BaseModel):
    """The web UI's start-up facts: the mode, whether demo sign-in is offered, and the city."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "standalone",
                    "demo_sign_in": True,
                    "roles": ["officer", "liaison", "supervisor", "analyst", "partner"],
                    "departments": ["public-works", "parks", "schools", "health", "code-enforcement"],
                    "districts": [{"code": "B2", "name": "District B2 (Roxbury)"}],
                }
            ]
        }
    )

    mode: Literal["standalone", "distributed"]
    demo_sign_in: bool = Field(description="True when a demo user may pick a role (standalone mode only)")
    roles: list[str]
    departments: list[str]
    districts: list[dict[str, str]] = Field(description="Codes and names of the city's districts (public boundaries)")


class DemoSignIn(BaseModel):
    """A demo user picks a role (and a district, or a department for a partner)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "supervisor", "district": "B2"}]})

    role: DemoRole
    district: str | None = Field(default=None, max_length=64, description="The demo user's district")
    department: str | None = Field(default=None, max_length=64, description="For a partner: the department")


class DemoToken(BaseModel):
    """A demo user's bearer token, signed with the standalone key."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...",
                    "subject": "demo-supervisor",
                    "role": "supervisor",
                    "district": "B2",
                    "department": None,
                    "expires_in": 43200,
                }
            ]
        }
    )

    token: str
    subject: str
    role: str
    district: str | None
    department: str | None
    expires_in: int = Field(description="Seconds until the token expires")
