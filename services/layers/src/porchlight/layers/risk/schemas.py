"""What GET /v1/risk answers: the model, every layer's relative risk with its interval, the
narrative with the records behind each sentence, and the risk surface as GeoJSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_FACTOR: dict[str, Any] = {
    "layer": "street_light_outage",
    "layer_name": "Street light outages",
    "features": 412,
    "distance_m": 200,
    "relative_risk": 2.4,
    "ci_low": 1.9,
    "ci_high": 3.1,
    "p_value": 0.0001,
    "selected": True,
    "exposed_cells": 310,
}
_MODEL: dict[str, Any] = {
    "family": "negative binomial",
    "alpha": 0.8,
    "dispersion": 1.9,
    "cells": 1480,
    "incidents": 612,
    "baseline": 0.31,
    "folds": 5,
    "level": 0.95,
}
_SENTENCE: dict[str, Any] = {
    "text": "Street light outages: incidents of motor vehicle theft are 2.4 times as likely within 200 m of one "
    "(95 % interval 1.9 to 3.1; 310 blocks are that close).",
    "figures": {"relative_risk": 2.4, "distance_m": 200, "interval_level": 95, "ci_low": 1.9, "ci_high": 3.1,
                "exposed_cells": 310},
    "layer": "street_light_outage",
    "distance_m": 200,
    "records": None,
    "records_url": "/v1/records?layer=street_light_outage&district=D4",
}  # fmt: skip
_PLACE: dict[str, Any] = {
    "cell": "8a2a1072b59ffff",
    "rrs": 2.4,
    "expected": 0.74,
    "observed": 3,
    "factors": ["street_light_outage"],
    "narrative": [{**_SENTENCE, "records_url": None, "records": [{"record_id": "0b6f7c1e-4f7e-4bb4-9d2c-1c3f0f1a2b3c",
        "department": "public-works", "layer": "street_light_outage", "category": "Street light out",
        "external_id": "101001240735", "status": "open", "opened_at": "2026-10-02T08:15:00+00:00",
        "closed_at": None}]}],
    "concerns": [{"note_id": "5d0c2a8e-2f3b-4c59-9e0a-7d1b2c3d4e5f", "quote": "It is pitch dark by the bus stop.",
                  "topic": "street_lighting", "occurred_at": "2026-11-20T19:00:00+00:00"}],
}  # fmt: skip


class RiskFactorOut(BaseModel):
    """One layer's relative risk for the chosen incidents, at the influence distance chosen."""

    model_config = ConfigDict(json_schema_extra={"examples": [_FACTOR]})

    layer: str
    layer_name: str
    features: int = Field(description="The layer's features in the model (present in the window, near the district)")
    distance_m: int | None = Field(description="The influence distance chosen (metres); null when not tested")
    relative_risk: float | None = Field(description="exp(β): how many times as many incidents near a feature")
    ci_low: float | None = Field(description="95 % interval, low end")
    ci_high: float | None = Field(description="95 % interval, high end")
    p_value: float | None
    selected: bool = Field(description="Kept by cross-validated forward selection: a risk factor here")
    exposed_cells: int = Field(description="Blocks (H3 cells) within the influence distance")


class ModelOut(BaseModel):
    """The fitted model: its family, study area and baseline."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MODEL]})

    family: Literal["poisson", "negative binomial"]
    alpha: float | None = Field(description="The negative binomial's alpha (variance = μ + alpha·μ²)")
    dispersion: float = Field(description="Pearson χ²/df of the Poisson model that decided the family")
    cells: int = Field(description="Blocks (H3 resolution-10 cells) in the study area")
    incidents: int = Field(description="Incidents modelled (inside the study area)")
    baseline: float = Field(description="Expected incidents in a block near none of the risk factors")
    folds: int
    level: float = Field(description="The level of every interval")


class SentenceOut(BaseModel):
    """A plain sentence of the narrative; every number in it is one of its ``figures``."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SENTENCE]})

    text: str
    figures: dict[str, float] = Field(description="Every number in the text, by name, as the model returned it")
    layer: str | None = None
    distance_m: int | None = None
    records: list[dict[str, Any]] | None = Field(
        None, description="The layer's records within distance_m of the block (a block's narrative only)"
    )
    records_url: str | None = Field(None, description="The layer's records in the district (the area's narrative)")


class PlaceOut(BaseModel):
    """One block (H3 cell): its risk score, its narrative with the records behind each sentence,
    and residents' concerns raised around it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PLACE]})

    cell: str
    rrs: float = Field(description="Relative risk score: the product of the relative risks of the factors here")
    expected: float
    observed: int
    factors: list[str]
    narrative: list[SentenceOut]
    concerns: list[dict[str, Any]] = Field(description="Residents' concerns raised around the block: note id and quote")


class RiskOut(BaseModel):
    """A district's risk terrain for the chosen offences."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "district": "D4",
                    "offences": ["240"],
                    "subject": "incidents of motor vehicle theft",
                    "status": "fitted",
                    "reason": None,
                    "incidents_from": "2025-12-05T12:00:00+00:00",
                    "features_from": "2024-12-05T12:00:00+00:00",
                    "until": "2026-12-05T12:00:00+00:00",
                    "model": _MODEL,
                    "factors": [_FACTOR],
                    "narrative": [_SENTENCE],
                    "place": None,
                    "surface": {"type": "FeatureCollection", "features": []},
                }
            ]
        }
    )

    district: str
    offences: list[str]
    subject: str = Field(description="What the incidents are, as the sentences say it")
    status: Literal["fitted", "insufficient"]
    reason: str | None = Field(None, description="Why there is no model (status insufficient)")
    incidents_from: datetime
    features_from: datetime
    until: datetime
    model: ModelOut | None
    factors: list[RiskFactorOut]
    narrative: list[SentenceOut]
    place: PlaceOut | None = None
    surface: dict[str, Any] = Field(description="GeoJSON FeatureCollection: every block's hexagon with its RRS")
