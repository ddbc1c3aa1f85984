"""Places as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoadReport(BaseModel):
    """What a load of the city's places did."""

    version: int = Field(description="The places version after the load (bumped by every load)")
    districts: int
    neighborhoods: int
    derived_parents: dict[str, str] = Field(
        default_factory=dict, description="Neighborhoods whose district was derived from their shape"
    )
    warnings: list[str] = Field(default_factory=list)


class ResolveOut(BaseModel):
    district: str
    neighborhood: str | None
