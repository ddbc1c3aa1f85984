"""The branding in use (an admin's, else the default), and setting it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.branding import repository as repo
from porchlight.dashboard.branding.schemas import DEFAULT, BrandIn, BrandOut, contrast, problems
from porchlight.dashboard.photos.imaging.clean import ImageRefused, clean
from porchlight.kit.auth import Principal
from porchlight.kit.errors import ValidationProblem

LOGO_URL = "/public/branding/logo.png"
LOGO_SIDE = 256


def _out(brand: BrandIn, *, logo: bool, by: str | None = None, at: datetime | None = None) -> BrandOut:
    return BrandOut(
        **brand.model_dump(),
        logo_url=LOGO_URL if logo else None,
        text_contrast=contrast(brand.primary, brand.on_primary),
        accent_contrast=max(contrast(brand.accent, "#ffffff"), contrast(brand.accent, brand.primary)),
        updated_by=by,
        updated_at=at,
    )


async def current_brand(session: AsyncSession) -> BrandOut:
    row = await repo.current(session)
    if row is None:
        return _out(DEFAULT, logo=False)
    brand = BrandIn(
        name=row.name,
        tagline=row.tagline,
        primary=row.primary_color,
        on_primary=row.on_primary,
        accent=row.accent,
        contact=row.contact,
    )
    return _out(brand, logo=row.logo_etag is not None, by=row.updated_by, at=row.updated_at)


async def set_brand(session: AsyncSession, brand: BrandIn, who: Principal) -> BrandOut:
    found = problems(brand)
    if found:
        raise ValidationProblem("the branding is not readable, or looks like enforcement", errors=found)
    await repo.save(
        session,
        {
            "name": brand.name,
            "tagline": brand.tagline,
            "primary_color": brand.primary,
            "on_primary": brand.on_primary,
            "accent": brand.accent,
            "contact": brand.contact,
            "updated_by": who.subject,
            "updated_at": datetime.now(UTC),
        },
    )
    return await current_brand(session)


async def set_logo(session: AsyncSession, data: bytes, who: Principal) -> BrandOut:
    """The logo, cleaned like a photo (no metadata), as a PNG of at most 256 pixels a side."""
    try:
        image = clean(data, size=LOGO_SIDE, output="PNG")
    except ImageRefused as e:
        raise ValidationProblem(str(e), errors=[{"field": "body", "message": str(e)}]) from e
    brand = await current_brand(session)
    values = BrandIn.model_validate(brand.model_dump(include=set(BrandIn.model_fields))).model_dump()
    await repo.save(
        session,
        {
            "name": values["name"],
            "tagline": values["tagline"],
            "primary_color": values["primary"],
            "on_primary": values["on_primary"],
            "accent": values["accent"],
            "contact": values["contact"],
            "logo": image.data,
            "logo_etag": hashlib.sha256(image.data).hexdigest()[:16],
            "updated_by": who.subject,
            "updated_at": datetime.now(UTC),
        },
    )
    return await current_brand(session)
