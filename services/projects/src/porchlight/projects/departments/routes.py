"""HTTP routes of departments and co-response teams."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, CurrentPrincipal, Principal, Role
from porchlight.projects.departments.models import Department, Team
from porchlight.projects.departments.schemas import DepartmentIn, DepartmentOut, TeamIn, TeamOut
from porchlight.projects.departments.service import add_department, add_team

router = APIRouter(tags=["departments"])

Organizer = Annotated[Principal, Depends(Allow(Role.supervisor))]


@router.get("/v1/departments", response_model=list[DepartmentOut])
async def list_departments(session: Session, _: CurrentPrincipal) -> list[DepartmentOut]:
    rows = await session.scalars(sa.select(Department).order_by(Department.code))
    return [DepartmentOut.model_validate(d) for d in rows]


@router.post("/v1/departments", response_model=DepartmentOut, status_code=201, responses={409: {}})
async def post_department(body: DepartmentIn, session: Session, _: Organizer) -> DepartmentOut:
    return DepartmentOut.model_validate(await add_department(session, body))


@router.get("/v1/teams", response_model=list[TeamOut])
async def list_teams(session: Session, _: CurrentPrincipal) -> list[TeamOut]:
    rows = await session.scalars(sa.select(Team).order_by(Team.code))
    return [TeamOut.model_validate(t) for t in rows]


@router.post("/v1/teams", response_model=TeamOut, status_code=201, responses={409: {}})
async def post_team(body: TeamIn, session: Session, _: Organizer) -> TeamOut:
    return TeamOut.model_validate(await add_team(session, body))
