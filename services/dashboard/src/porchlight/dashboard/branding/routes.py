"""HTTP routes of the branding: read by anyone (the public pages use it), set by an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile

from porchlight.dashboard.branding import repository as repo
from porchlight.dashboard.branding import service
from porchlight.dashboard.branding.schemas import BrandIn, BrandOut
from porchlight.dashboard.photos.imaging.clean import MAX_BYTES
from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import Admin, Public
from porchlight.kit.errors import NotFound

router = APIRouter(tags=["branding"])

PUBLIC = Public("the outreach team's name, colours and logo, shown on its public pages")


@router.get("/v1/branding", response_model=BrandOut, dependencies=[Depends(PUBLIC)])
async def get_branding(session: Session) -> BrandOut:
    """The outreach team's identity in use, with the contrasts it meets."""
    return await service.current_brand(session)


@router.put("/v1/branding", response_model=BrandOut, responses={422: {}})
async def put_branding(body: BrandIn, session: Session, who: Admin) -> BrandOut:
    """Set the outreach team's name, tagline, colours and contact.

    Refused (422 naming the field) when text on the primary colour is under 4.5:1 contrast, the
    accent cannot be seen, or the primary colour is close to an enforcement unit's.
    """
    return await service.set_brand(session, body, who)


@router.put("/v1/branding/logo", response_model=BrandOut, responses={413: {}, 422: {}})
@body_limit(MAX_BYTES + 65_536)
async def put_logo(
    session: Session,
    who: Admin,
    file: Annotated[UploadFile, File(description="A PNG, JPEG or WebP image, at most 15 MB")],
) -> BrandOut:
    """Set the logo: kept as a PNG of at most 256 pixels a side with every metadata block removed."""
    return await service.set_logo(session, await file.read(MAX_BYTES + 1), who)


@router.get("/public/branding/logo.png", include_in_schema=False, dependencies=[Depends(PUBLIC)])
async def get_logo(session: Session, request: Request) -> Response:
    row = await repo.logo(session)
    if row is None or row.logo is None:
        raise NotFound("no logo set")
    etag = f'"{row.logo_etag}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(row.logo, media_type="image/png", headers=headers)
