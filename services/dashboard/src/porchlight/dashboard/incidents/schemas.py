"""What the crime-statistics routes answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from porchlight.dashboard.pages.schemas import Crime, Period


class DistrictCrime(BaseModel):
    """One district's incident counts for the month."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "district": "B2",
                    "crime": {
                        "total": 54,
                        "previous_month": 61,
                        "last_year": 58,
                        "change_vs_previous_month": -0.115,
                        "change_vs_last_year": -0.069,
                        "by_category": [],
                        "trend": [],
                    },
                }
            ]
        }
    )

    district: str
    crime: Crime


class CrimeStats(BaseModel):
    """Incident counts by district for a month."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period": {"month": "2026-11", "start": "2026-11-01", "end": "2026-12-01"},
                    "districts": [],
                }
            ]
        }
    )

    period: Period
    districts: list[DistrictCrime]
