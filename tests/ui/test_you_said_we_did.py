"""Issue 18's "Done when", in Chromium against every service: residents raise street lighting at
two meetings; a supervisor sets a priority by picking the topic and a resident's words from what
synthesis found (no figure typed); the work is done; the supervisor reviews the win — the
plain-language check flags a jargon-filled draft, a photo of the work is added and approved, the
email is previewed with its recipients — and approves it. Then the neighborhood's page (on a phone),
its Atom feed, the English and the Spanish subscriber's email, the flyer and the city's webhook
all carry it, with the numbers and the quote traceable to the notes (the chain page), and the
unsubscribe link works in one click."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import feedparser
import httpx
import pytest
from dashboard.test_flyer import qr_codes
from intake.test_subscriptions import parts
from PIL import Image
from pypdf import PdfReader
from standardwebhooks import Webhook
from support import bearer
from ui.helpers import check_accessibility, screenshot
from ui.test_connections_page import _publish

from porchlight.events import MeetingScheduled, NoteSubmitted
from porchlight.events.catalog import Concern
from porchlight.kit.auth import mint_token

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SAID = [
    "The street lights on Tremont St are out and the whole block is pitch dark at night.",
    "Three street lamps by the bus stop on Tremont have been dark for weeks.",
    "It is too dark to walk home on Tremont St, the street lights do not work.",
    "Please fix the broken street lights near the school on Tremont.",
    "The lamp posts on Tremont St flicker and then go dark all night.",
    "No working street lights on Tremont after sunset, people trip on the sidewalk.",
]
JARGON = (
    "Pursuant to CAD and RMS analysis, Code Enforcement commenced nuisance abatement and proactive "
    "enforcement to mitigate quality-of-life offenses across the Part I crime hot spots."
)
PLAIN = "Public Works put in 9 new street lamps on Tremont St. The block is bright again at night."


class Receiver(BaseHTTPRequestHandler):
    """The city's own communication tool: keeps every POST it gets (headers and body)."""

    got: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        Receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _until(check: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_approved_win_reaches_every_channel_traceable_to_the_notes(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d, hood, web, s = stack.district, stack.neighborhood, stack.web, stack.settings
    tag = uuid.uuid4().hex[:6]
    boss = mint_token(s, subject=f"sgt-{tag}", roles=["supervisor"], district=d)
    auth = {"Authorization": f"Bearer {boss}"}
    admin = bearer(s, "admin")
    partner = {
        "Authorization": f"Bearer {mint_token(s, subject=f'pw-{tag}', roles=['partner'], department='public-works')}"
    }

    # Residents raised street lighting in six notes at two meetings.
    meetings = [uuid.uuid4(), uuid.uuid4()]
    held = datetime.now(UTC) - timedelta(days=6)
    events: list[Any] = [
        MeetingScheduled(meeting_id=m, host_id="host-yswd", district=d, neighborhood=hood, venue_type="library",
                         starts_at=held + timedelta(days=i))
        for i, m in enumerate(meetings)
    ]  # fmt: skip
    notes = [uuid.uuid4() for _ in SAID]
    events += [
        NoteSubmitted(note_id=n, meeting_id=meetings[i % 2], host_id="host-yswd", district=d, neighborhood=hood,
                      submitted_at=held + timedelta(hours=i), held_at=held + timedelta(days=i % 2), attendees=5,
                      concerns=[Concern(text=f"{text} ({tag})")])
        for i, (n, text) in enumerate(zip(notes, SAID, strict=True))
    ]  # fmt: skip
    _publish(s, events)

    # Two residents subscribe to the neighborhood (English and Spanish) and confirm by their link.
    readers = {"en": f"ana.{tag}@example.org", "es": f"luis.{tag}@example.org"}
    for lang, address in readers.items():
        r = httpx.post(
            f"{web}/api/intake/v1/public/subscriptions", json={"email": address, "neighborhood": hood, "language": lang}
        )
        assert r.status_code == 202, r.text
    for lang, address in readers.items():
        mail = _until(lambda a=address: stack.mail.to(a), f"the confirmation mail of {lang}")[0]
        [confirm] = re.findall(r"(https?://\S+/subscriptions/confirm\?token=\S+)", parts(mail)[0])
        assert httpx.get(confirm).status_code == 200

    # The city's communication tool is registered for every published update.
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    r = httpx.post(
        f"{web}/v1/webhooks",
        json={"name": f"Precinct page {tag}", "url": f"http://127.0.0.1:{server.server_port}/hook"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    hook = r.json()

    # The model reads the notes: street lighting, in the neighborhood.
    def lighting() -> dict[str, Any] | None:
        q = {"district": d, "neighborhood": hood, "from": (date.today() - timedelta(days=30)).isoformat()}
        ins = httpx.get(f"{web}/api/synthesis/v1/insights", params=q, headers=auth, timeout=60).json()
        return next((t for t in ins.get("topics", []) if t["topic"] == "street_lighting" and t["notes"] >= 5), None)

    topic = _until(lighting, "synthesis to read the notes as street lighting", timeout=120)
    counted = topic["notes"]

    try:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(web + "/#/signin")
        page.evaluate("t => localStorage.setItem('porchlight.session', JSON.stringify({ token: t }))", boss)

        # The priority: picked, not typed — the topic with its count and a resident's words.
        page.goto(web + "/#/priorities")
        page.reload()
        page.wait_for_selector("#priority-form")
        page.select_option("#pr-neighborhood", hood)
        page.wait_for_selector("#pick-street_lighting")
        label = page.inner_text("label[for=pick-street_lighting]")
        assert f"{counted} notes" in label, label
        page.check("#pick-street_lighting")
        first_quote = page.locator("input[name=quote]").first
        first_quote.check()
        picked = json.loads(first_quote.get_attribute("value") or "{}")
        page.fill("#pr-title", f"Light Tremont St {tag}")
        check_accessibility(page, "supervisor: set a priority")
        screenshot(page, "priority-picked-from-synthesis")
        page.click("#priority-form button[type=submit]")
        page.wait_for_selector(f"#priorities li:has-text('Light Tremont St {tag}')", timeout=20000)
        listed = httpx.get(f"{stack.urls['projects']}/v1/priorities?district={d}", headers=auth).json()
        priority = next(p for p in listed if p["title"] == f"Light Tremont St {tag}")
        assert priority["quotes"] == [picked] and priority["concerns"][0]["topic"] == "street_lighting"
        quoted = next(x["text"] for x in topic["quotes"] if x["note_id"] == picked["note_id"])

        # The work: a public micro-project of Public Works, its task done, the project done.
        projects = stack.urls["projects"]
        body = {"priority_id": priority["id"], "title": f"Fix the street lamps on Tremont St {tag}",
                "place": "Tremont St", "department": "public-works", "remedy_kind": "physical",
                "starts_on": date.today().isoformat(), "due_on": (date.today() + timedelta(days=7)).isoformat(),
                "public": True, "tasks": [{"title": "Replace 9 street lamps", "public": True}]}  # fmt: skip
        httpx.post(
            f"{projects}/v1/departments",
            json={"code": "public-works", "name": "Public Works", "kind": "public_works"},
            headers=auth,
        )
        card = httpx.post(f"{projects}/v1/projects", json=body, headers=auth).json()
        [task] = card["tasks"]
        r = httpx.patch(f"{projects}/v1/projects/{card['id']}/tasks/{task['id']}", json={"done": True}, headers=partner)
        assert r.status_code == 200, r.text
        version = httpx.get(f"{projects}/v1/projects/{card['id']}", headers=auth).json()["version"]
        for to in ("planned", "in_progress", "done"):
            r = httpx.post(
                f"{projects}/v1/projects/{card['id']}/moves", json={"to": to, "version": version}, headers=auth
            )
            assert r.status_code == 200, r.text
            version = r.json()["version"]

        # The review, on the supervisor's board (other tests' drafts may wait there too).
        def drafted() -> str | None:
            listed = httpx.get(f"{projects}/v1/wins?district={d}", headers=auth).json()
            return next((w["id"] for w in listed if w["project_id"] == card["id"]), None)

        item = f"#board-wins li.win[data-win='{_until(drafted, 'the draft win')}']"
        page.goto(f"{web}/#/district/{d}")
        page.wait_for_selector(f"{item} .win-said:has-text('{counted} notes at 2 meetings')", timeout=30000)
        page.click(f"{item} button:has-text('Edit')")
        page.fill(f"{item} textarea[name=body]", JARGON)
        page.wait_for_selector(f"{item} .live-reading [data-verdict=needs_reason]")
        flags = page.inner_text(f"{item} .live-reading .reading-flags")
        assert "CAD" in flags and "the 911 dispatch system" in flags and "proactive enforcement" in flags, flags
        screenshot(page, "win-jargon-flagged")
        page.fill(f"{item} textarea[name=body]", PLAIN)
        page.wait_for_selector(f"{item} .live-reading [data-language=en][data-verdict=plain]")
        page.click(f"{item} form.win-form button[type=submit]")
        page.wait_for_selector(f"{item} .win-body:has-text('9 new street lamps')")

        # A photo of the work: described, added, approved (only then is it public).
        page.set_input_files(
            f"{item} input[type=file]", files=[{"name": "lamps.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.fill(f"{item} input[name=alt_text]", "A Public Works crew fits a new street lamp on Tremont St")
        page.click(f"{item} form.photo-form button[type=submit]")
        page.wait_for_selector(f"{item} .photo[data-status=pending] img[src^='blob:']")
        check_accessibility(page, "supervisor: a photo of the work waiting for approval")
        page.click(f"{item} .photo[data-status=pending] button:has-text('Approve photo')")
        page.wait_for_selector(f"{item} .photo[data-status=approved]")

        # The email as residents will get it, and to how many.
        page.click(f"{item} button:has-text('Preview the email')")
        page.wait_for_selector(f"{item} .preview-count:has-text('2 addresses: 1 in English, 1 in Spanish')")
        frame = page.frame_locator(f"{item} iframe.preview-frame").first
        assert "9 new street lamps" in frame.locator("body").inner_text()
        check_accessibility(page, "supervisor: reviewing a win")
        screenshot(page, "win-review-preview")
        page.click(f"{item} > .form-actions button:has-text('Approve')")
        page.wait_for_selector(item, state="detached", timeout=10000)
        [win] = [w for w in httpx.get(f"{projects}/v1/wins?district={d}&status=published", headers=auth).json()
                 if w["project_id"] == card["id"]]  # fmt: skip

        # The chain, from the win: the notes behind the numbers and the words quoted.
        page.goto(f"{web}/#/chain/update/{win['id']}")
        page.wait_for_selector("#chain-notes")
        assert page.inner_text("#chain-notes h2") == f"What residents said ({counted} notes)"
        assert quoted in page.inner_text("#chain-wins")
        assert "Replace 9 street lamps" in page.inner_text("#chain-projects")
        check_accessibility(page, "the chain of a win")
        page.context.close()

        # The neighborhood's page, on a phone, without signing in.
        line = f"Neighbors raised street lighting {counted} times at 2 meetings"
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()

        def on_page() -> bool:
            phone.goto(f"{web}/public/en/neighborhoods/{hood}")
            return line in phone.inner_text("#updates")

        _until(on_page, "the win on the public page", timeout=30)
        updates = phone.inner_text("#updates")
        assert quoted in updates and "Public Works finished 1 step at Tremont St." in updates
        assert (
            phone.locator("#updates img[alt='A Public Works crew fits a new street lamp on Tremont St']").count() == 1
        )
        assert phone.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
        check_accessibility(phone, "resident: the neighborhood's page on a phone")
        screenshot(phone, "public-page-phone")

        # Its Atom feed, read by a feed parser.
        feed = feedparser.parse(httpx.get(f"{web}/public/en/neighborhoods/{hood}/feed.atom").content)
        [entry] = [e for e in feed.entries if e.id == f"urn:uuid:{win['id']}"]
        assert line in entry.summary and quoted in entry.summary

        # The flyer: its text carries the win and the line; its QR code opens the page.
        pdf = httpx.get(f"{web}/public/en/neighborhoods/{hood}/flyer.pdf").content
        text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        assert win["title"] in text and line in text
        assert qr_codes(pdf) == [f"{web}/public/en/neighborhoods/{hood}"]

        # Each subscriber's email, in their language; the webhook's signed post.
        def newsletter(address: str) -> Any:
            return next((m for m in stack.mail.to(address) if "List-Unsubscribe" in m), None)

        en_mail = _until(lambda: newsletter(readers["en"]), "the English newsletter")
        es_mail = _until(lambda: newsletter(readers["es"]), "the Spanish newsletter")
        en_text, en_html = parts(en_mail)
        assert line in en_text and quoted in en_text and "9 new street lamps" in en_html
        es_text, _ = parts(es_mail)
        assert f"Los vecinos hablaron de alumbrado público {counted} veces en 2 reuniones" in es_text, es_text
        posted = _until(
            lambda: [b for h, b in Receiver.got if json.loads(b).get("data", {}).get("update_id") == win["id"]],
            "the webhook",
        )
        headers, raw = next((h, b) for h, b in Receiver.got if b == posted[0])
        assert Webhook(hook["secret"]).verify(raw, headers)["data"]["title"] == win["title"]

        # One click on the unsubscribe link: nothing more goes to that address.
        [unsubscribe] = re.findall(r"(https?://\S+/subscriptions/unsubscribe\?token=\S+)", en_text)
        left = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        left.goto(unsubscribe)
        assert "unsubscribed" in left.inner_text("body").lower()
        left.context.close()
        counts = httpx.get(
            f"{web}/api/intake/v1/subscriptions/counts", params={"neighborhood": hood}, headers=auth
        ).json()
        assert counts["confirmed"].get("en", 0) == 0 and counts["confirmed"]["es"] == 1
    finally:
        server.shutdown()
        httpx.delete(f"{web}/v1/webhooks/{hook['id']}", headers=admin)
