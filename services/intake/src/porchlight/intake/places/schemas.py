"""Places as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoadReport(BaseModel):
    """What a load of the city's places did."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 3,
                    "districts": 12,
                    "neighborhoods": 23,
                    "derived_parents": {"roxbury": "B2"},
                    "warnings": [],
                }
            ]
        }
    )

    version: int = Field(description="The places version after the load (bumped by every load)")
    districts: int
    neighborhoods: int
    derived_parents: dict[str, str] = Field(
        default_factory=dict, description="Neighborhoods whose district was derived from their shape"
    )
    warnings: list[str] = Field(default_factory=list)


class ResolveOut(BaseModel):
    """The district and neighborhood a point lies in."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"district": "B2", "neighborhood": "roxbury"}]})

    district: str
    neighborhood: str | None
