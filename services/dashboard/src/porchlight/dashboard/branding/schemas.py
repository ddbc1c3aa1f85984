"""Shapes of the branding, and the checks that keep it readable and apart from enforcement.

Readable: the team's name on its colour must reach WCAG 2.1 AA for text (contrast 4.5:1, measured
with coloraide), and the accent must stand out from a white page (3:1, WCAG's figure for graphics).
Apart: the primary colour must be far from the colours of enforcement units (CIEDE2000 distance of
at least ``MIN_DISTANCE`` from each of ``ENFORCEMENT_COLORS``: police navy, black, and the
light-bar red and blue), so a flyer is not taken for a police notice at a glance.
"""

from __future__ import annotations

import re
from datetime import datetime

from coloraide import Color
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import JsonDict

from porchlight.kit.inputs import SingleLine

TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0
MIN_DISTANCE = 20.0
#: Police navy, black, and the light bars' blue and red.
ENFORCEMENT_COLORS = ("#0b1f3a", "#1b2a4a", "#000000", "#0033a0", "#d00000")

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

_BRAND_EX: JsonDict = {
    "name": "Roxbury Community Outreach",
    "tagline": "Neighbors and city working together",
    "primary": "#1f6f5c",
    "on_primary": "#ffffff",
    "accent": "#f2a900",
    "contact": "outreach@city.example · 617-555-0100",
}


def contrast(a: str, b: str) -> float:
    return round(float(Color(a).contrast(b, method="wcag21")), 2)


def distance(a: str, b: str) -> float:
    return round(float(Color(a).delta_e(b, method="2000")), 1)


class BrandIn(BaseModel):
    """The outreach team's identity as an admin sets it (colours as #rrggbb)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_BRAND_EX]})

    name: SingleLine = Field(min_length=3, max_length=80)
    tagline: SingleLine = Field(default="", max_length=120)
    primary: str = Field(description="Background of the header and the flyer's band", examples=["#1f6f5c"])
    on_primary: str = Field(description="Text on the primary colour", examples=["#ffffff"])
    accent: str = Field(description="Rules, quote bars, the logo's ring", examples=["#f2a900"])
    contact: SingleLine | None = Field(default=None, max_length=160)

    @field_validator("primary", "on_primary", "accent")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX.match(value):
            raise ValueError("a colour as #rrggbb, e.g. #1f6f5c")
        return value.lower()


def problems(brand: BrandIn) -> list[dict[str, str]]:
    """What keeps ``brand`` from use: each problem names its field (empty: fine)."""
    out = []
    ratio = contrast(brand.primary, brand.on_primary)
    if ratio < TEXT_CONTRAST:
        out.append(
            {
                "field": "body.on_primary",
                "message": f"text on the primary colour has a contrast of {ratio}:1; at least {TEXT_CONTRAST}:1 "
                "is needed to read it (WCAG 2.1 AA)",
            }
        )
    if max(contrast(brand.accent, "#ffffff"), contrast(brand.accent, brand.primary)) < GRAPHIC_CONTRAST:
        out.append(
            {
                "field": "body.accent",
                "message": f"the accent needs a contrast of {GRAPHIC_CONTRAST}:1 on white or on the primary "
                f"colour to be seen (it has {contrast(brand.accent, '#ffffff')}:1 on white)",
            }
        )
    for police in ENFORCEMENT_COLORS:
        d = distance(brand.primary, police)
        if d < MIN_DISTANCE:
            out.append(
                {
                    "field": "body.primary",
                    "message": f"{brand.primary} is too close to the enforcement colour {police} (distance {d}, "
                    f"at least {MIN_DISTANCE}): outreach must not look like an enforcement unit",
                }
            )
            break
    return out


class BrandOut(BaseModel):
    """The branding in use, with the contrasts it was checked for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _BRAND_EX
                | {
                    "logo_url": "/public/branding/logo.png",
                    "text_contrast": 6.02,
                    "accent_contrast": 1.94,
                    "updated_by": "admin-lee",
                    "updated_at": "2027-01-04T15:30:00Z",
                }
            ]
        }
    )

    name: str
    tagline: str
    primary: str
    on_primary: str
    accent: str
    contact: str | None = None
    logo_url: str | None = None
    text_contrast: float
    accent_contrast: float
    updated_by: str | None = None
    updated_at: datetime | None = None


#: Until an admin sets one: a community team's teal and gold (white on teal 6.0:1; far from navy).
DEFAULT = BrandIn(
    name="Community Outreach Team",
    tagline="Neighbors and city working together",
    primary="#1f6f5c",
    on_primary="#ffffff",
    accent="#f5b82e",
)
