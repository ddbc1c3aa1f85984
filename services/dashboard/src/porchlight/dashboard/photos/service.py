"""Photos: uploaded by the people doing the work in its district, public once a supervisor approves.

An upload is cleaned (images.py: EXIF and location removed, resized, bombs and broken files
refused) before anything is stored; it needs words for people who cannot see it (``alt_text``).
Nothing is public before a supervisor of the project's district approves it, and only the
photos of public projects are ever served without sign-in.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.photos import repository as repo
from porchlight.dashboard.photos.imaging.clean import PHOTO_SIDE, THUMB_SIDE, ImageRefused, clean
from porchlight.dashboard.photos.schemas import PhotoOut, PhotoReview
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, Forbidden, NotFound, ValidationProblem


def out(row: Any) -> PhotoOut:
    base = f"/v1/photos/{row.photo_id}"
    return PhotoOut(
        id=row.photo_id,
        project_id=row.project_id,
        task_id=row.task_id,
        district=row.district,
        alt_text=row.alt_text,
        alt_text_es=row.alt_text_es,
        width=row.width,
        height=row.height,
        status=row.status,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        reject_reason=row.reject_reason,
        url=f"{base}/image.jpg",
        thumb_url=f"{base}/thumb.jpg",
    )


def _check_district(who: Principal, district: str, what: str) -> None:
    own = who.district_scope
    if own is not None and own != district:
        raise Forbidden(f"you act in district {own} only; {what} belongs to district {district}", district=own)


async def upload(
    session: AsyncSession,
    project_id: uuid.UUID,
    data: bytes,
    alt_text: str,
    alt_text_es: str | None,
    task_id: uuid.UUID | None,
    who: Principal,
) -> PhotoOut:
    project = await repo.project(session, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    _check_district(who, project.district, "this project")
    try:
        # Decoding and re-encoding a phone photo takes tens of milliseconds: off the event loop.
        photo = await asyncio.to_thread(clean, data, size=PHOTO_SIDE)
        thumb = await asyncio.to_thread(clean, photo.data, size=THUMB_SIDE)
    except ImageRefused as e:
        raise ValidationProblem(str(e), errors=[{"field": "body.file", "message": str(e)}]) from e
    photo_id = uuid.uuid4()
    await repo.add(
        session,
        {
            "photo_id": photo_id,
            "project_id": project_id,
            "task_id": task_id,
            "district": project.district,
            "alt_text": alt_text,
            "alt_text_es": alt_text_es,
            "image": photo.data,
            "thumb": thumb.data,
            "width": photo.width,
            "height": photo.height,
            "status": "pending",
            "uploaded_by": who.subject,
            "uploaded_at": datetime.now(UTC),
        },
    )
    row = await repo.get(session, photo_id)
    return out(row)


async def review(session: AsyncSession, photo_id: uuid.UUID, body: PhotoReview, who: Principal) -> PhotoOut:
    row = await repo.get(session, photo_id, lock=True)
    if row is None:
        raise NotFound(f"no photo {photo_id}")
    _check_district(who, row.district, "this photo")
    if not who.has(Role.supervisor):
        raise Forbidden("a supervisor approves photos")
    if not body.approve and not body.reason:
        raise ValidationProblem(
            "say why the photo is refused", errors=[{"field": "body.reason", "message": "required to refuse"}]
        )
    if row.status != "pending":
        raise Conflict(f"the photo is already {row.status}")
    await repo.review(
        session,
        photo_id,
        {
            "status": "approved" if body.approve else "rejected",
            "reviewed_by": who.subject,
            "reviewed_at": datetime.now(UTC),
            "reject_reason": None if body.approve else body.reason,
        },
    )
    return out(await repo.get(session, photo_id))
