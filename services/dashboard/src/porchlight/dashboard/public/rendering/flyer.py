"""A neighborhood's flyer: one printed page, large type, in the outreach team's colours, with the
neighborhood's map and a QR code to its public page (reportlab: pure Python, no system library).

Made to be read on a lamp post or a laundromat's board: the title at 30 pt, nothing under 12 pt
but the address printed under the QR code. The page holds the latest wins with their "you said"
line and the work under way; what does not fit is left for the page the QR code opens. Every text
is escaped before reportlab reads it (its Paragraph takes markup: a title with ``<font>`` or
``<a>`` in it is printed as written, never obeyed).
"""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from porchlight.dashboard.branding.schemas import BrandOut
from porchlight.dashboard.public.rendering.i18n import full_day, gettext
from porchlight.dashboard.public.schemas import PublicPage

W, H = LETTER
MARGIN = 40
BAND = 96
RIGHT_W = 196
QR_SIDE = 170
MAP_SIDE = 196


def _styles(brand: BrandOut) -> dict[str, ParagraphStyle]:
    ink = colors.HexColor("#1b1b1b")
    return {
        "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=30, leading=34, textColor=ink),
        "lede": ParagraphStyle("lede", fontName="Helvetica", fontSize=15, leading=19, textColor=ink),
        "h2": ParagraphStyle(
            "h2", fontName="Helvetica-Bold", fontSize=18, leading=22, textColor=colors.HexColor(brand.primary)
        ),
        "item": ParagraphStyle("item", fontName="Helvetica-Bold", fontSize=15, leading=18, textColor=ink),
        "body": ParagraphStyle("body", fontName="Helvetica", fontSize=13, leading=16.5, textColor=ink),
        "small": ParagraphStyle("small", fontName="Helvetica", fontSize=12, leading=15, textColor=ink),
        "url": ParagraphStyle("url", fontName="Helvetica", fontSize=10, leading=12, textColor=ink),
    }


def _draw(c: Canvas, text: str, style: ParagraphStyle, x: float, y: float, width: float) -> float:
    """Draw ``text`` (plain, escaped here) with its top at ``y``; return the y below it."""
    p = Paragraph(escape(text), style)
    _, h = p.wrap(width, H)
    p.drawOn(c, x, y - h)
    return y - h


def _height(text: str, style: ParagraphStyle, width: float) -> float:
    return Paragraph(escape(text), style).wrap(width, H)[1]


def _band(c: Canvas, brand: BrandOut, logo: bytes | None) -> None:
    c.setFillColor(colors.HexColor(brand.primary))
    c.rect(0, H - BAND, W, BAND, stroke=0, fill=1)
    x = MARGIN
    if logo:
        c.drawImage(ImageReader(io.BytesIO(logo)), x, H - BAND + 18, 60, 60, mask="auto", preserveAspectRatio=True)
    else:
        c.setFillColor(colors.HexColor(brand.accent))
        c.circle(x + 30, H - BAND / 2, 28, stroke=0, fill=1)
    x += 76
    c.setFillColor(colors.HexColor(brand.on_primary))
    c.setFont("Helvetica-Bold", 24)
    c.drawString(x, H - 44, brand.name)
    c.setFont("Helvetica", 14)
    c.drawString(x, H - 68, brand.tagline)


def _map(
    c: Canvas,
    rings: list[list[tuple[float, float]]],
    points: list[tuple[float, float]],
    brand: BrandOut,
    x: float,
    y: float,
) -> None:
    """The neighborhood's outline and the public work in it, north up, within a square at (x, y)."""
    c.setStrokeColor(colors.HexColor("#888888"))
    c.rect(x, y, MAP_SIDE, MAP_SIDE, stroke=1, fill=0)
    coords = [pt for ring in rings for pt in ring] + points
    if not coords:
        return
    lons, lats = [p[0] for p in coords], [p[1] for p in coords]
    # A degree of longitude is shorter than one of latitude away from the equator: shrink it so
    # the neighborhood keeps its shape, then centre it in the square.
    shrink = math.cos(math.radians((max(lats) + min(lats)) / 2))
    width, height = (max(lons) - min(lons)) * shrink, max(lats) - min(lats)
    scale = (MAP_SIDE - 16) / (max(width, height) or 0.01)
    dx, dy = (MAP_SIDE - width * scale) / 2, (MAP_SIDE - height * scale) / 2

    def to_page(lon: float, lat: float) -> tuple[float, float]:
        return x + dx + (lon - min(lons)) * shrink * scale, y + dy + (lat - min(lats)) * scale

    c.setFillColor(colors.HexColor("#eef3f1"))
    c.setStrokeColor(colors.HexColor(brand.primary))
    c.setLineWidth(2)
    for ring in rings:
        path = c.beginPath()
        for i, (lon, lat) in enumerate(ring):
            px, py = to_page(lon, lat)
            path.moveTo(px, py) if i == 0 else path.lineTo(px, py)
        path.close()
        c.drawPath(path, stroke=1, fill=1)
    c.setFillColor(colors.HexColor(brand.accent))
    c.setStrokeColor(colors.HexColor("#1b1b1b"))
    c.setLineWidth(1)
    for lon, lat in points:
        px, py = to_page(lon, lat)
        c.circle(px, py, 6, stroke=1, fill=1)


def _qr(c: Canvas, url: str, x: float, y: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    bx, by, bw, bh = widget.getBounds()
    drawing = Drawing(QR_SIDE, QR_SIDE, transform=[QR_SIDE / (bw - bx), 0, 0, QR_SIDE / (bh - by), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def render_flyer(
    page: PublicPage,
    brand: BrandOut,
    *,
    rings: list[list[tuple[float, float]]],
    logo: bytes | None = None,
    printed: datetime | None = None,
) -> bytes:
    """The flyer of ``page`` (its language) as PDF bytes. ``rings``: the place's outline (lon, lat)."""
    lang = page.language
    s = _styles(brand)
    out = io.BytesIO()
    c = Canvas(out, pagesize=LETTER, pageCompression=1)
    c.setTitle(f"{page.name} — {brand.name}")
    c.setAuthor(brand.name)
    c.setSubject(gettext(lang, "You said, we did"))
    _band(c, brand, logo)

    left_w = W - 2 * MARGIN - RIGHT_W - 24
    y = H - BAND - 24
    y = _draw(c, page.name, s["title"], MARGIN, y, W - 2 * MARGIN) - 4
    y = (
        _draw(
            c,
            gettext(lang, "What neighbors told us, what the city is doing about it, and what is done."),
            s["lede"],
            MARGIN,
            y,
            W - 2 * MARGIN,
        )
        - 16
    )

    # Right column: map, QR code, its address.
    top = y
    points = [(w.point.lon, w.point.lat) for w in page.work if w.point]
    _map(c, rings, points, brand, W - MARGIN - RIGHT_W, top - MAP_SIDE)
    qr_y = top - MAP_SIDE - 24 - QR_SIDE
    _qr(c, page.url, W - MARGIN - RIGHT_W + (RIGHT_W - QR_SIDE) / 2, qr_y)
    below = _draw(
        c,
        gettext(lang, "Scan for the whole page, and to get these updates by email."),
        s["small"],
        W - MARGIN - RIGHT_W,
        qr_y - 6,
        RIGHT_W,
    )
    # The address for those without a camera (reportlab breaks a word longer than the column).
    _draw(c, page.url, s["url"], W - MARGIN - RIGHT_W, below - 4, RIGHT_W)

    # Left column: wins, then the work under way, as many as fit.
    floor = MARGIN + 40
    y = _draw(c, gettext(lang, "You said, we did"), s["h2"], MARGIN, top, left_w) - 6
    wins = 0
    for u in page.updates:
        parts: list[tuple[str, ParagraphStyle]] = [(u.title, s["item"])]
        parts += [(line, s["body"]) for line in u.story()]
        parts.append((u.body, s["body"]))
        need = sum(_height(t, st, left_w) + 3 for t, st in parts) + 10
        if y - need < floor + 60:
            break
        for t, st in parts:
            y = _draw(c, t, st, MARGIN, y, left_w) - 3
        y -= 10
        wins += 1
    if not wins:
        y = _draw(c, gettext(lang, "Nothing published here yet."), s["body"], MARGIN, y, left_w) - 10
    under_way = [w for w in page.work if w.status != "done"]
    if under_way and y - 60 > floor:
        y = _draw(c, gettext(lang, "What is being done"), s["h2"], MARGIN, y - 6, left_w) - 6
        for w in under_way:
            line = f"{w.title} — {w.status_text}" + (f" ({w.place})" if w.place else "")
            if y - _height(line, s["body"], left_w) < floor:
                break
            y = _draw(c, line, s["body"], MARGIN, y, left_w) - 6

    # Footer: who to reach, when printed.
    c.setFillColor(colors.HexColor("#333333"))
    c.setFont("Helvetica", 12)
    when = full_day(lang, printed or datetime.now(UTC))
    footer = gettext(lang, "Printed {day}").format(day=when)
    c.drawString(MARGIN, MARGIN, f"{brand.name}{' · ' + brand.contact if brand.contact else ''} · {footer}")
    c.showPage()
    c.save()
    return out.getvalue()


def rings_of(geojson: dict[str, Any], kind: str, code: str) -> list[list[tuple[float, float]]]:
    """The outer rings (lon, lat) of the place's feature in the places file."""
    for f in geojson.get("features", []):
        p = f.get("properties") or {}
        if p.get("kind") == kind and str(p.get("code")) == code:
            g = f.get("geometry") or {}
            polygons = [g["coordinates"]] if g.get("type") == "Polygon" else g.get("coordinates", [])
            return [[(float(x), float(y)) for x, y, *_ in poly[0]] for poly in polygons if poly]
    return []
