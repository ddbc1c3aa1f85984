"""HTTP routes of photos: upload (multipart, with alt text), review (supervisors), the images."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile

from porchlight.dashboard.photos import repository as repo
from porchlight.dashboard.photos import service
from porchlight.dashboard.photos.imaging.clean import MAX_BYTES
from porchlight.dashboard.photos.schemas import PhotoOut, PhotoReview, PhotoStatus
from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import Public, Staff, Supervisor
from porchlight.kit.errors import NotFound

router = APIRouter(tags=["photos"])

PUBLIC = Public("approved photos of public projects only: cleaned of EXIF and location when uploaded")
Size = Literal["image", "thumb"]
AltText = Annotated[
    str, Form(min_length=8, max_length=300, description="What the photo shows, for people who cannot see it")
]


@router.post("/v1/projects/{project_id}/photos", response_model=PhotoOut, status_code=201, responses={413: {}})
@body_limit(MAX_BYTES + 65_536)
async def upload_photo(
    project_id: uuid.UUID,
    session: Session,
    who: Staff,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP photo, at most 15 MB and 40 megapixels")],
    alt_text: AltText,
    alt_text_es: Annotated[str | None, Form(min_length=8, max_length=300)] = None,
    task_id: Annotated[uuid.UUID | None, Form()] = None,
) -> PhotoOut:
    """Add a photo of the work on a micro-project (or one of its tasks).

    It is cleaned before it is kept: location and every other EXIF field removed, turned upright,
    at most 1600 pixels a side. It waits for a supervisor's approval before any public page shows it.
    """
    data = await file.read(MAX_BYTES + 1)
    return await service.upload(session, project_id, data, alt_text, alt_text_es, task_id, who)


@router.get("/v1/projects/{project_id}/photos", response_model=list[PhotoOut])
async def list_project_photos(project_id: uuid.UUID, session: Session, _: Staff) -> list[PhotoOut]:
    """A project's photos, pending, approved and refused."""
    return [service.out(r) for r in await repo.of_project(session, project_id)]


@router.get("/v1/photos", response_model=list[PhotoOut])
async def list_photos(
    session: Session,
    who: Supervisor,
    status: PhotoStatus | None = "pending",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PhotoOut]:
    """Photos to review (pending by default), newest first; a district supervisor's own district's."""
    return [service.out(r) for r in await repo.listed(session, status, who.district_scope, limit)]


@router.post("/v1/photos/{photo_id}/review", response_model=PhotoOut, responses={409: {}})
async def review_photo(photo_id: uuid.UUID, body: PhotoReview, session: Session, who: Supervisor) -> PhotoOut:
    """Approve a photo for the public pages, or refuse it saying why (a face, a plate, a house number)."""
    return await service.review(session, photo_id, body, who)


def _jpeg(data: bytes | None, cache: str) -> Response:
    if data is None:
        raise NotFound("no such photo")
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    )


# The image bytes are linked from each photo (``url``, ``thumb_url``), not an API operation of their
# own: generated clients read JSON, and a JPEG is fetched by its link.
@router.get("/v1/photos/{photo_id}/{which}.jpg", include_in_schema=False)
async def get_photo_image(photo_id: uuid.UUID, which: Size, session: Session, _: Staff) -> Response:
    """A photo's cleaned image (``image``) or thumbnail (``thumb``), whatever its review."""
    return _jpeg(await repo.image(session, photo_id, which, public=False), "private, max-age=60")


@router.get("/public/photos/{photo_id}/{which}.jpg", include_in_schema=False, dependencies=[Depends(PUBLIC)])
async def get_public_photo(photo_id: uuid.UUID, which: Size, session: Session) -> Response:
    return _jpeg(await repo.image(session, photo_id, which, public=True), "public, max-age=300")
