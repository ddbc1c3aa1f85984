"""What GET /v1/risk answers: the model, every layer's relative risk with its interval, the
narrative with the records behind each sentence, and the risk surface as GeoJSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class RiskFactorOut(BaseModel):
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
    family: Literal["poisson", "negative binomial"]
    alpha: float | None = Field(description="The negative binomial's alpha (variance = μ + alpha·μ²)")
    dispersion: float = Field(description="Pearson χ²/df of the Poisson model that decided the family")
    cells: int = Field(description="Blocks (H3 resolution-10 cells) in the study area")
    incidents: int = Field(description="Incidents modelled (inside the study area)")
    baseline: float = Field(description="Expected incidents in a block near none of the risk factors")
    folds: int
    level: float = Field(description="The level of every interval")


class SentenceOut(BaseModel):
    text: str
    figures: dict[str, float] = Field(description="Every number in the text, by name, as the model returned it")
    layer: str | None = None
    distance_m: int | None = None
    records: list[dict[str, Any]] | None = Field(
        None, description="The layer's records within distance_m of the block (a block's narrative only)"
    )
    records_url: str | None = Field(None, description="The layer's records in the district (the area's narrative)")


class PlaceOut(BaseModel):
    cell: str
    rrs: float = Field(description="Relative risk score: the product of the relative risks of the factors here")
    expected: float
    observed: int
    factors: list[str]
    narrative: list[SentenceOut]
    concerns: list[dict[str, Any]] = Field(description="Residents' concerns raised around the block: note id and quote")


class RiskOut(BaseModel):
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
