"""Departments and teams: lookups that turn unknown codes into problems naming the field."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.errors import Conflict, ValidationProblem
from porchlight.projects.departments.models import Department, Team
from porchlight.projects.departments.repository import DepartmentRepository
from porchlight.projects.departments.schemas import DepartmentIn, TeamIn


async def require_department(session: AsyncSession, code: str, field: str) -> Department:
    department = await DepartmentRepository(session).department(code)
    if department is None:
        raise ValidationProblem(
            f"unknown department {code!r}", errors=[{"field": field, "message": f"unknown department {code!r}"}]
        )
    return department


async def require_team(session: AsyncSession, code: str, field: str) -> Team:
    team = await DepartmentRepository(session).team(code)
    if team is None:
        raise ValidationProblem(
            f"unknown team {code!r}", errors=[{"field": field, "message": f"unknown team {code!r}"}]
        )
    return team


async def add_department(session: AsyncSession, body: DepartmentIn) -> Department:
    repo = DepartmentRepository(session)
    if await repo.department(body.code) is not None:
        raise Conflict(f"department {body.code!r} exists")
    department = Department(code=body.code, name=body.name, kind=body.kind)
    await repo.add(department)
    return department


async def add_team(session: AsyncSession, body: TeamIn) -> Team:
    repo = DepartmentRepository(session)
    known = {d.code for d in await repo.departments()}
    errors = [
        {"field": f"body.departments.{i}", "message": f"unknown department {code!r}"}
        for i, code in enumerate(body.departments)
        if code not in known
    ]
    if errors:
        raise ValidationProblem("unknown departments in the team", errors=errors)
    if await repo.team(body.code) is not None:
        raise Conflict(f"team {body.code!r} exists")
    team = Team(code=body.code, name=body.name, departments=list(dict.fromkeys(body.departments)))
    await repo.add(team)
    return team
