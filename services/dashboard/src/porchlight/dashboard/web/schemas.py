"""What the web UI reads before sign-in, the sign-in at the city's provider, and the demo sign-in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DemoRole = Literal["officer", "liaison", "supervisor", "analyst", "partner", "auditor"]


class WebConfig(BaseModel):
    """The web UI's start-up facts: the mode, whether demo sign-in is offered, and the city."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "standalone",
                    "demo_sign_in": True,
                    "oidc_sign_in": False,
                    "roles": ["officer", "liaison", "supervisor", "analyst", "partner"],
                    "departments": ["public-works", "parks", "schools", "health", "code-enforcement"],
                    "districts": [{"code": "B2", "name": "District B2 (Roxbury)"}],
                }
            ]
        }
    )

    mode: Literal["standalone", "distributed"]
    demo_sign_in: bool = Field(
        description="True in demo mode (standalone, no identity provider): a demo user may pick a role"
    )
    oidc_sign_in: bool = Field(
        default=False, description="True when people sign in at the city's OpenID Connect provider"
    )
    roles: list[str]
    departments: list[str]
    districts: list[dict[str, str]] = Field(description="Codes and names of the city's districts (public boundaries)")


class OidcSignIn(BaseModel):
    """What the provider sent back to the redirect URI, handed over by the sign-in page."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "SplxlOBeZQQYbYS6WxSbIA", "state": "af0ifjsldkj"}]}
    )

    code: str = Field(min_length=1, max_length=4096, description="The authorization code")
    state: str = Field(min_length=1, max_length=256, description="The state this sign-in started with")


class SignedIn(BaseModel):
    """The bearer the browser keeps, and who it says the person is (by the configured claims)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...",
                    "subject": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
                    "name": "Dana Reyes",
                    "roles": ["supervisor"],
                    "district": "B2",
                    "department": None,
                    "expires_in": 3600,
                }
            ]
        }
    )

    token: str
    subject: str
    name: str | None = Field(default=None, description="The person's name, when the provider gives one")
    roles: list[str]
    district: str | None
    department: str | None
    expires_in: int = Field(description="Seconds until the token expires")


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
