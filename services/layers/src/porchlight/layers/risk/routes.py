"""GET /v1/risk: a district's risk terrain for chosen offences, and one block's narrative."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

import h3
from fastapi import APIRouter, Depends, Query

from porchlight.kit.app import GeoJSONResponse, Provided, Session, geojson_answer
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import Forbidden, ValidationProblem, problem_responses
from porchlight.layers.incidents.parsing.offenses import OFFENSES
from porchlight.layers.places.cells import RESOLUTION
from porchlight.layers.records.service import Places
from porchlight.layers.risk import repository, service
from porchlight.layers.risk.schemas import ModelOut, PlaceOut, RiskFactorOut, RiskOut, SentenceOut
from porchlight.layers.risk.service import Assessment, Assessments
from porchlight.layers.risk.terrain import LEVEL, Sentence
from porchlight.layers.settings import Config

router = APIRouter(tags=["risk"])

#: Crime incidents are the police's own records: their terrain is for its staff, not partners.
Police = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]
PlacesDep = Annotated[Places, Provided(Places)]
AssessmentsDep = Annotated[Assessments, Provided(Assessments)]
District = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$", description="A district's code")]
Offences = Annotated[
    list[str],
    Query(
        max_length=12,
        description="NIBRS codes or incident categories (any case), repeated; none: every incident",
    ),
]
Cell = Annotated[
    str | None,
    Query(pattern=r"^[0-9a-f]{15}$", description=f"An H3 cell at resolution {RESOLUTION}: that block's narrative"),
]


async def _assessment(
    session: Any, who: Principal, places: Places, cache: Assessments, settings: Any, district: str, offence: list[str]
) -> tuple[Assessment, str]:
    scope = who.district_scope
    if scope and scope != district:
        raise Forbidden(f"your district is {scope}")
    city = places.locator.city
    if district not in city.codes:
        raise ValidationProblem(
            "unknown district", errors=[{"field": "query.district", "message": f"no district {district!r}"}]
        )
    offences = tuple(sorted({o.strip() for o in offence if o.strip()}))
    bad = [o for o in offences if len(o) > 64 or "\x00" in o]
    if bad:
        raise ValidationProblem(
            "bad offence", errors=[{"field": "query.offence", "message": "at most 64 characters, no NUL"}]
        )
    unknown = [o for o in offences if o.upper() not in OFFENSES]
    unknown = await repository.unknown_offences(session, unknown) if unknown else []
    if unknown:
        raise ValidationProblem(
            "unknown offence",
            errors=[
                {
                    "field": "query.offence",
                    "message": f"{unknown[0]!r} is neither a NIBRS code nor the category of any incident",
                }
            ],
        )
    offences = tuple(o.upper() if o.upper() in OFFENSES else o for o in offences)
    assessment = await cache.assess(session, city, district, offences, datetime.now(UTC), settings)
    return assessment, service.subject_of(offences, OFFENSES)


def _number(x: float) -> float | None:
    """JSON has no NaN: a figure that could not be estimated is null."""
    return x if math.isfinite(x) else None


def _sentence(s: Sentence, **extra: Any) -> SentenceOut:
    return SentenceOut(text=s.text, figures=s.figures, layer=s.layer, distance_m=s.distance_m, **extra)


@router.get(
    "/v1/risk",
    response_model=RiskOut,
    responses=problem_responses(403, 422),
)
async def get_risk(
    session: Session,
    who: Police,
    places: PlacesDep,
    cache: AssessmentsDep,
    settings: Config,
    district: District,
    offence: Offences = [],  # noqa: B006  (FastAPI reads the default, never mutates it)
    cell: Cell = None,
) -> RiskOut:
    """A district's risk terrain, RTM-style (Risk Terrain Modeling).

    For each layer, how many times as many of the chosen incidents happen in the blocks within
    its influence distance (100, 200 or 300 m, tested), with a 95 % interval; layers are kept as
    risk factors by cross-validated forward selection in a Poisson or negative binomial model.
    Incidents of the last `risk_incident_days`; a layer's features present in the last
    `risk_feature_days`. `surface`: every block's relative risk score as GeoJSON. `narrative`:
    plain sentences whose every number is in their `figures`. With `cell`, that block's own
    narrative, with the records and residents' concerns behind it.
    """
    assessment, subject = await _assessment(session, who, places, cache, settings, district, offence)
    names = {code: layer.name for code, layer in places.registry.layers.items()}
    model = assessment.model
    window = assessment.window
    out = RiskOut(
        district=district,
        offences=list(assessment.offences),
        subject=subject,
        status="fitted" if model else "insufficient",
        reason=assessment.reason,
        incidents_from=window.incidents_from,
        features_from=window.features_from,
        until=window.until,
        model=None,
        factors=[],
        narrative=[],
        surface={"type": "FeatureCollection", "features": []},
    )
    if model is None:
        if cell is not None:
            raise ValidationProblem(
                "no model", errors=[{"field": "query.cell", "message": f"no risk model: {assessment.reason}"}]
            )
        return out
    out.model = ModelOut(
        family=model.family,
        alpha=model.alpha,
        dispersion=model.dispersion,
        cells=model.cells,
        incidents=model.incidents,
        baseline=model.baseline,
        folds=model.folds,
        level=LEVEL,
    )
    out.factors = [
        RiskFactorOut(
            layer=f.layer,
            layer_name=names.get(f.layer, f.layer),
            features=f.features,
            distance_m=f.distance_m,
            relative_risk=_number(f.relative_risk),
            ci_low=_number(f.ci_low),
            ci_high=_number(f.ci_high),
            p_value=_number(f.p_value),
            selected=f.selected,
            exposed_cells=f.exposed_cells,
        )
        for f in model.factors
    ]
    out.narrative = [
        _sentence(s, records_url=f"/v1/records?layer={s.layer}&district={district}" if s.layer else None)
        for s in service.area_sentences(assessment, subject, names)
    ]
    out.surface = model.geojson()
    if cell is not None:
        out.place = await _place(session, who, assessment, cell, subject, names)
    return out


async def _place(
    session: Any, who: Principal, assessment: Assessment, cell: str, subject: str, names: dict[str, str]
) -> PlaceOut:
    model = assessment.model
    assert model is not None
    if not h3.is_valid_cell(cell) or h3.get_resolution(cell) != RESOLUTION:
        raise ValidationProblem(
            "bad cell", errors=[{"field": "query.cell", "message": f"not an H3 cell at resolution {RESOLUTION}"}]
        )
    try:
        risk = model.cell(cell)
    except KeyError:
        raise ValidationProblem(
            "cell outside", errors=[{"field": "query.cell", "message": "not a block of the district"}]
        ) from None
    narrative = await service.place_narrative(session, assessment, cell, subject, names)
    return PlaceOut(
        cell=cell,
        rrs=risk.rrs,
        expected=risk.expected,
        observed=risk.observed,
        factors=list(risk.factors),
        narrative=[_sentence(s, records=records) for s, records in narrative.sentences],
        # Residents' quotes for readers of the district's words only; the note ids stay.
        concerns=narrative.concerns
        if who.reads_words_of(assessment.district)
        else [{k: v for k, v in c.items() if k != "quote"} for c in narrative.concerns],
    )


@router.get(
    "/v1/risk.geojson",
    response_class=GeoJSONResponse,
    responses={**geojson_answer("Every block's hexagon with its relative risk score"), **problem_responses(403, 422)},
)
async def get_risk_geojson(
    session: Session,
    who: Police,
    places: PlacesDep,
    cache: AssessmentsDep,
    settings: Config,
    district: District,
    offence: Offences = [],  # noqa: B006
) -> GeoJSONResponse:
    """The risk surface alone, for map clients (QGIS, Leaflet): an empty collection when there
    are too few incidents to model."""
    assessment, _ = await _assessment(session, who, places, cache, settings, district, offence)
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    return GeoJSONResponse(assessment.model.geojson() if assessment.model else empty)
