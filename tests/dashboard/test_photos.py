"""Photos of the everyday work (issue 18): cleaned when uploaded (EXIF and location gone, resized),
alt text required, public only once a supervisor of the district approves them and only for
public projects; oversized, malformed and bomb images refused with a clear error, nothing kept."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from dashboard.test_public_pages import city_file
from dashboard.test_read_models import publish
from PIL import Image
from support import eventually, running, scalar

from porchlight.dashboard.public.service import PageCache
from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import ProjectCreated
from porchlight.kit.auth import mint_token

pytestmark = pytest.mark.integration

ALT = "A crew member on a lift replacing a streetlight"


def jpeg_with_location(width: int = 3000, height: int = 2000) -> bytes:
    """A camera JPEG: EXIF with a GPS position, a make, and an orientation (rotated 90°)."""
    img = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (42.0, 20.0, 1.5), 3: "W", 4: (71.0, 5.0, 2.5)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 megapixels in a few hundred kB
    return out.getvalue()


def headers(settings, role: str, district: str | None = None) -> dict[str, str]:
    token = mint_token(settings, subject=f"{role}-{uuid.uuid4().hex[:6]}", roles=[role], district=district)
    return {"Authorization": f"Bearer {token}"}


async def test_a_photo_is_cleaned_reviewed_and_only_then_public(settings, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    places, district, hood = city_file(tmp_path, tag)
    public, internal = uuid.uuid4(), uuid.uuid4()
    common = dict(priority_id=uuid.uuid4(), district=district, neighborhood=hood, department="public-works",
                  remedy_kind="physical", starts_on=date.today(), due_on=date.today() + timedelta(days=7))  # fmt: skip
    await publish(
        settings,
        [
            ProjectCreated(project_id=public, title="Fix the lights", public=True, **common),
            ProjectCreated(project_id=internal, title="Internal work", public=False, **common),
        ],
    )
    crew = headers(settings, "partner", district)
    sergeant = headers(settings, "supervisor", district)
    elsewhere = headers(settings, "supervisor", "ZZ-other")
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=places))

        async def known() -> bool:
            n = await scalar(settings, "SELECT count(*) FROM dashboard.projects WHERE project_id IN (:a, :b)",
                             a=public, b=internal)  # fmt: skip
            return n == 2

        await eventually(known, timeout_s=30)
        url = f"/v1/projects/{public}/photos"
        files = {"file": ("lift.jpg", jpeg_with_location(), "image/jpeg")}
        r = await client.post(
            url, files=files, data={"alt_text": ALT, "alt_text_es": "Un trabajador en una grúa"}, headers=crew
        )
        assert r.status_code == 201, r.text
        photo = r.json()
        assert photo["status"] == "pending" and (photo["width"], photo["height"]) == (1067, 1600)  # upright, 1600 max

        stored = (await client.get(photo["url"], headers=crew)).content
        kept = Image.open(io.BytesIO(stored))
        assert kept.format == "JPEG" and dict(kept.getexif()) == {} and "exif" not in kept.info
        assert b"PhoneMaker" not in stored and b"GPS" not in stored
        assert max(Image.open(io.BytesIO((await client.get(photo["thumb_url"], headers=crew)).content)).size) == 480

        public_url = f"/public/photos/{photo['id']}/image.jpg"
        assert (await client.get(public_url)).status_code == 404  # pending: not public

        review = f"/v1/photos/{photo['id']}/review"
        assert (await client.post(review, json={"approve": True}, headers=crew)).status_code == 403
        assert (await client.post(review, json={"approve": True}, headers=elsewhere)).status_code == 403
        r = await client.post(review, json={"approve": False}, headers=sergeant)
        assert r.status_code == 422 and "body.reason" in r.text
        queue = (await client.get("/v1/photos", headers=sergeant)).json()
        assert photo["id"] in [p["id"] for p in queue]
        r = await client.post(review, json={"approve": True}, headers=sergeant)
        assert r.status_code == 200 and r.json()["status"] == "approved", r.text
        assert (await client.post(review, json={"approve": True}, headers=sergeant)).status_code == 409

        served = await client.get(public_url)  # no sign-in
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.content == stored
        app.state.runtime.resource(PageCache).clear()
        page = (await client.get(f"/v1/public/neighborhoods/{hood}")).json()
        [work] = page["work"]
        assert [p["alt"] for p in work["photos"]] == [ALT] and work["photos"][0]["url"].endswith(public_url)
        es = (await client.get(f"/v1/public/neighborhoods/{hood}", params={"language": "es"})).json()
        assert es["work"][0]["photos"][0]["alt"] == "Un trabajador en una grúa"

        # An internal project's photo, even approved, is never public.
        r = await client.post(f"/v1/projects/{internal}/photos", files=files, data={"alt_text": ALT}, headers=crew)
        assert r.status_code == 201
        hidden = r.json()["id"]
        assert (
            await client.post(f"/v1/photos/{hidden}/review", json={"approve": True}, headers=sergeant)
        ).status_code == 200
        assert (await client.get(f"/public/photos/{hidden}/image.jpg")).status_code == 404

        # Bad input: a clear error naming what is wrong, nothing kept.
        before = await scalar(settings, "SELECT count(*) FROM dashboard.photos WHERE project_id = :p", p=public)
        r = await client.post(url, files=files, headers=crew)
        assert r.status_code == 422 and "alt_text" in r.text
        r = await client.post(url, files=files, data={"alt_text": "x"}, headers=crew)
        assert r.status_code == 422 and "alt_text" in r.text
        for name, data, why in [
            ("notes.txt", b"just some text", "JPEG, PNG or WebP"),
            ("cut.jpg", jpeg_with_location()[:4000], "damaged"),
            ("bomb.png", png_bomb(), ""),
            ("anim.gif", _gif(), "GIF"),
        ]:
            r = await client.post(url, files={"file": (name, data, "image/jpeg")}, data={"alt_text": ALT}, headers=crew)
            assert r.status_code == 422, (name, r.status_code, r.text)
            assert "body.file" in r.text and why in r.text, (name, r.text)
        r = await client.post(url, files={"file": ("big.jpg", b"\xff" * (16 * 1024 * 1024), "image/jpeg")},
                              data={"alt_text": ALT}, headers=crew)  # fmt: skip
        assert r.status_code == 413
        assert (await client.post(url, files=files, data={"alt_text": ALT})).status_code == 401
        r = await client.post(f"/v1/projects/{uuid.uuid4()}/photos", files=files, data={"alt_text": ALT}, headers=crew)
        assert r.status_code == 404
        other = headers(settings, "partner", "ZZ-other")
        assert (await client.post(url, files=files, data={"alt_text": ALT}, headers=other)).status_code == 403
        assert await scalar(settings, "SELECT count(*) FROM dashboard.photos WHERE project_id = :p", p=public) == before


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()
