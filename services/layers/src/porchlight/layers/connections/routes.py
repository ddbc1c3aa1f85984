"""HTTP routes of connections and the city's connection rules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from porchlight.kit.app import GeoJSONResponse, Provided, Session, geojson_answer
from porchlight.kit.auth import MIN_NOTES_SHOWN, Principal, Staff, Supervisor, sees_small_counts
from porchlight.kit.errors import NotFound, ValidationProblem
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, cursor_of, next_link
from porchlight.layers.connections import repository, service
from porchlight.layers.connections.rules import Rule, RuleSet
from porchlight.layers.connections.schemas import ConnectionOut, EvaluationOut
from porchlight.layers.connections.worker import ConnectionsWorker

router = APIRouter(tags=["connections"])

Code = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Status = Annotated[str | None, Query(pattern="^(open|closed)$", description="open or closed")]


def _out(row: Any, who: Principal) -> ConnectionOut:
    """A connection as ``who`` may read it: residents' quotes only for a reader of its district's
    words (``Principal.reads_words_of``); the note ids and figures stay."""
    out = ConnectionOut.model_validate(row)
    if "quotes" in out.evidence and not who.reads_words_of(out.district):
        out.evidence = {**{k: v for k, v in out.evidence.items() if k != "quotes"}, "words_withheld": True}
    if not sees_small_counts(who):
        out.evidence = _without_small_counts(out.evidence)
    return out


def _without_small_counts(evidence: dict[str, Any]) -> dict[str, Any]:
    """A partner's copy: no residents' note ids, and a count of fewer than MIN_NOTES_SHOWN notes
    said as "fewer than 5" (docs/privacy.md: a count of 2 can single out who spoke)."""
    notes = len(evidence.get("note_ids") or [])
    out = {k: v for k, v in evidence.items() if k != "note_ids"}
    if 0 < notes < MIN_NOTES_SHOWN:
        said = f"{notes} residents' notes raised"
        out["explanation"] = str(out.get("explanation", "")).replace(
            said, f"fewer than {MIN_NOTES_SHOWN} residents' notes raised"
        )
        out["figures"] = {**out.get("figures", {}), "notes": f"fewer than {MIN_NOTES_SHOWN}"}
    return out


def _scoped(who: Any, district: str | None) -> str | None:
    """A district-scoped caller sees its own district's connections."""
    scope = who.district_scope
    return scope or district


@router.get("/v1/connections", response_model=list[ConnectionOut])
async def list_connections(
    session: Session,
    who: Staff,
    request: Request,
    response: Response,
    district: Code = None,
    status: Status = "open",
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[ConnectionOut]:
    """Same-block connections, newest first.

    Each carries its evidence: the department record, the incidents against the place's own
    baseline with the test's figures, and residents' notes and quotes. Open ones by default.
    """
    rows = await repository.page(session, cursor_of(cursor), limit, _scoped(who, district), status)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].detected_at, rows[-1].correlation_id) if more else None)
    return [_out(r, who) for r in rows]


@router.get(
    "/v1/connections.geojson",
    response_class=GeoJSONResponse,
    responses=geojson_answer("A FeatureCollection of connections (points at their record)"),
)
async def get_connections_geojson(session: Session, who: Staff, district: Code = None) -> GeoJSONResponse:
    """Open connections as a map layer.

    One point per connection, at its department record, with its title and explanation.
    """
    rows = await repository.page(session, None, 5_000, _scoped(who, district), "open")
    features = [
        {
            "type": "Feature",
            "id": str(r.correlation_id),
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "correlation_id": str(r.correlation_id),
                "rule": r.rule,
                "title": r.evidence.get("title"),
                "explanation": r.evidence.get("explanation"),
                "district": r.district,
            },
        }
        for r in rows[:5_000]
    ]
    return GeoJSONResponse({"type": "FeatureCollection", "features": features})


@router.get("/v1/connections/{correlation_id}", response_model=ConnectionOut, responses={404: {}})
async def get_connection(correlation_id: uuid.UUID, session: Session, who: Staff) -> ConnectionOut:
    """One connection with its evidence.

    A district-scoped caller sees only its own district's.
    """
    row = await repository.one(session, correlation_id)
    if row is None or (who.district_scope and row.district != who.district_scope):
        raise NotFound(f"no connection {correlation_id}")
    return _out(row, who)


@router.post("/v1/connections/evaluation", response_model=EvaluationOut)
async def evaluate_connections(session: Session, _: Supervisor) -> EvaluationOut:
    """Evaluate the rules now.

    The service does this by itself whenever records, incidents or concerns change; this runs it
    at once (after editing rules, say).
    """
    if not await repository.take_turn(session):
        return EvaluationOut(evaluated=False, matches=0, opened=0, updated=0, closed=0)
    result = await service.evaluate_city(session)
    return EvaluationOut(**vars(result))


@router.get("/v1/connection-rules", response_model=RuleSet)
async def get_connection_rules(session: Session, _: Staff) -> RuleSet:
    """The city's connection rules.

    Its "same block" radius and each rule: the record, the incidents' test, the concerns.
    """
    return await service.rule_set(session)


@router.put("/v1/connection-rules/{name}", response_model=RuleSet)
async def put_connection_rule(
    name: str,
    body: Rule,
    session: Session,
    who: Supervisor,
    worker: Annotated[ConnectionsWorker, Provided(ConnectionsWorker)],
) -> RuleSet:
    """Add or replace one rule.

    The body is a rule (see `Rule`); its `name` must be the path's. A wrong field is a 422 naming
    it. Connections are re-evaluated at once.
    """
    if body.name != name:
        raise ValidationProblem(
            "the rule's name is the path's", errors=[{"field": "body.name", "message": "must equal the path's name"}]
        )
    current = await service.rule_set(session)
    updated = RuleSet(radius_m=current.radius_m, rules=[*(r for r in current.rules if r.name != name), body])
    await repository.save_rule_document(session, updated.model_dump(mode="json"), who.subject)
    worker.wake()
    return updated


@router.delete("/v1/connection-rules/{name}", response_model=RuleSet, responses={404: {}})
async def delete_connection_rule(name: str, session: Session, who: Supervisor) -> RuleSet:
    """Remove one rule.

    Its open connections stay until their records close.
    """
    current = await service.rule_set(session)
    if name not in {r.name for r in current.rules}:
        raise NotFound(f"no rule {name!r}")
    updated = RuleSet(radius_m=current.radius_m, rules=[r for r in current.rules if r.name != name])
    await repository.save_rule_document(session, updated.model_dump(mode="json"), who.subject)
    return updated
