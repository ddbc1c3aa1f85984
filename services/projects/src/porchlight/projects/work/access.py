"""Who may change a card: its own department (or a department of its team), and supervisors —
within the caller's district when their token carries one (districts/scope.py).

Everyone signed in reads every card (the board is shared); only the owners update theirs. The
owning department comes from the ``department`` claim of the caller's token (or API key).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Forbidden
from porchlight.projects.departments.repository import DepartmentRepository
from porchlight.projects.districts.scope import check_district
from porchlight.projects.work.models import Project


async def owners_of(session: AsyncSession, project: Project) -> list[str]:
    owners = [project.department]
    if project.team:
        team = await DepartmentRepository(session).team(project.team)
        if team is not None:
            owners += [d for d in team.departments if d not in owners]
    return owners


def may_update(who: Principal, owners: list[str]) -> bool:
    return who.has(Role.supervisor) or (who.department is not None and who.department in owners)


async def require_owner(session: AsyncSession, who: Principal, project: Project) -> list[str]:
    check_district(who, project.district, "this card")
    owners = await owners_of(session, project)
    if not may_update(who, owners):
        raise Forbidden(
            f"only {', '.join(owners)} (or a supervisor) may change this card; "
            f"your department: {who.department or 'none'}"
        )
    return owners
