"""The neighborhood's flyer (issue 18): one printed page in each language, large type, the
neighborhood's map, and a QR code a phone reads as the public page's address; staff's words
printed as written (reportlab's markup in a title is never obeyed)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from dashboard.test_public_pages import city_file, events
from dashboard.test_read_models import publish
from pypdf import PdfReader
from support import eventually, running

from porchlight.dashboard.public.service import PageCache
from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import UpdatePublished

pytestmark = pytest.mark.integration

MARKUP = 'Lights <font color="red">fixed</font> & <a href="http://evil.example">more</a>'


def qr_codes(pdf: bytes) -> list[str]:
    """The QR codes on the first page, as a phone camera would read the printed page."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


async def test_the_flyer_is_one_page_in_each_language_with_a_qr_code_to_the_page(settings, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    places, district, hood = city_file(tmp_path, tag)
    evs, _ = events(district, hood)
    evs.append(
        UpdatePublished(update_id=uuid.uuid4(), district=district, neighborhood=hood, kind="bulletin", title=MARKUP,
                        body="Thank you for telling us.", published_at=evs[-1].published_at)
    )  # fmt: skip
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=places, public_url="https://engage.city.example"))
        cache = app.state.runtime.resource(PageCache)
        await publish(settings, evs)

        async def arrived() -> bool:
            cache.clear()
            page = (await client.get(f"/v1/public/neighborhoods/{hood}")).json()
            return len(page["updates"]) == 3 and bool(page["raised"]) and bool(page["work"])  # the step announced too

        await eventually(arrived, timeout_s=30)
        cache.clear()
        texts = {}
        for lang in ("en", "es"):
            r = await client.get(f"/public/{lang}/neighborhoods/{hood}/flyer.pdf")  # no sign-in
            assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
            reader = PdfReader(io.BytesIO(r.content))
            assert len(reader.pages) == 1
            texts[lang] = " ".join(reader.pages[0].extract_text().split())
            assert qr_codes(r.content) == [f"https://engage.city.example/public/{lang}/neighborhoods/{hood}"]

        en, es = texts["en"], texts["es"]
        assert f"Elm Hill {tag}" in en and "Community Outreach Team" in en
        assert "The first lights on Tremont St are back." in en and "6 times at 3 meetings" in en
        assert "Fix the streetlights on Tremont St" in en and "Scan for the whole page" in en
        assert MARKUP in en  # printed as written, not obeyed
        assert "Las primeras luces de Tremont St funcionan." in es and "6 veces en 3 reuniones" in es
        assert "Escanee para ver la página completa" in es and "Ustedes lo dijeron, lo hicimos" in es
        assert (await client.get(f"/public/en/neighborhoods/{hood}x/flyer.pdf")).status_code == 404
