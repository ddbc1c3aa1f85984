"""HTTP routes of departments and co-response teams."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, CurrentPrincipal, Principal, Role
from porchlight.projects.departments import service
from porchlight.projects.departments.repository import DepartmentRepository
from porchlight.projects.departments.schemas import DepartmentIn, DepartmentOut, TeamIn, TeamOut

router = APIRouter(tags=["departments"])

Organizer = Annotated[Principal, Depends(Allow(Role.supervisor))]

# Departments and teams are a city's short lists (a dozen rows): not paged.


@router.get("/v1/departments", response_model=list[DepartmentOut])
async def list_departments(session: Session, _: CurrentPrincipal) -> list[DepartmentOut]:
    """Every department, by code.

    The departments that own micro-projects and tasks (police units, Public Works, Parks...).
    """
    return [DepartmentOut.model_validate(d) for d in await DepartmentRepository(session).departments()]


@router.post("/v1/departments", response_model=DepartmentOut, status_code=201, responses={409: {}})
async def create_department(body: DepartmentIn, session: Session, _: Organizer) -> DepartmentOut:
    """Add a department.

    Its code is how cards, tasks and tokens (`department` claim) name it; an existing code is a 409.
    """
    return DepartmentOut.model_validate(await service.add_department(session, body))


@router.get("/v1/teams", response_model=list[TeamOut])
async def list_teams(session: Session, _: CurrentPrincipal) -> list[TeamOut]:
    """Every co-response team, by code.

    A team pairs departments; every department of a team owns the team's cards.
    """
    return [TeamOut.model_validate(t) for t in await DepartmentRepository(session).teams()]


@router.post("/v1/teams", response_model=TeamOut, status_code=201, responses={409: {}})
async def create_team(body: TeamIn, session: Session, _: Organizer) -> TeamOut:
    """Add a co-response team.

    Its departments must exist (each unknown one named as `body.departments.<n>`); an existing code
    is a 409.
    """
    return TeamOut.model_validate(await service.add_team(session, body))
