"""Email subscriptions (issue 18), against a real SMTP server (aiosmtpd on 127.0.0.1): double
opt-in in the subscriber's language, a forged link refused, a bounce recorded, one-click
unsubscribe (RFC 8058's POST and the link's GET), counts for staff and never an address back; the
public page's HTML form answers pages in the resident's language."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from email.message import EmailMessage
from html import escape
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from support import bearer, eventually, running, scalar

from porchlight.intake.settings import IntakeSettings
from porchlight.intake.subscriptions.mail import tokens
from porchlight.intake.subscriptions.service import address_key
from porchlight.kit.embedded import free_port
from porchlight.kit.ratelimit import RateLimit

pytestmark = pytest.mark.integration

HOOD = "back-bay"  # a neighborhood of the demo city intake loads at start


class Sink:
    """An SMTP server that keeps every message and refuses addresses at ``gone.example``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@gone.example"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def link(text: str, kind: str) -> str:
    [found] = re.findall(rf"https://engage\.city\.example/api/intake(/v1/public/subscriptions/{kind}\?token=\S+)", text)
    return found


async def test_double_opt_in_bounce_and_one_click_unsubscribe(settings) -> None:
    sink = Sink()
    sink.controller.start()
    me = f"maria.{uuid.uuid4().hex[:8]}@example.org"
    gone = f"nobody.{uuid.uuid4().hex[:8]}@gone.example"
    try:
        async with running("intake", settings) as (app, client):
            app.state.runtime.provide(
                IntakeSettings(
                    smtp_host="127.0.0.1",
                    smtp_port=sink.port,
                    mail_per_second=200,
                    public_url="https://engage.city.example/api/intake",
                    mail_from="Back Bay Outreach <outreach@city.example>",
                )
            )
            url = "/v1/public/subscriptions"
            r = await client.post(url, json={"email": me, "neighborhood": HOOD, "language": "es"})  # no sign-in
            assert r.status_code == 202, r.text
            assert me not in r.text and r.json()["status"] == "check-your-email"

            async def arrived() -> bool:
                return len(sink.to(me)) == 1

            await eventually(arrived, timeout_s=20)
            [msg] = sink.to(me)
            assert (
                msg["Subject"] == "Confirme: novedades de Back Bay"
                and msg["From"] == "Back Bay Outreach <outreach@city.example>"
            )
            assert msg["Message-ID"].startswith("<confirm.") and msg["Content-Language"] == "es"
            text, html = parts(msg)
            assert "Si no fue usted, ignore este mensaje" in text and "Confirmar" in html
            confirm = link(text, "confirm")

            # Asked again at once: the same answer, no second message.
            r = await client.post(url, json={"email": me.upper(), "neighborhood": HOOD, "language": "es"})
            assert r.status_code == 202

            # A forged or altered link changes nothing.
            token = confirm.split("token=")[1]
            forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
            assert (await client.get(f"{url}/confirm", params={"token": forged})).status_code == 400
            assert (await client.get(f"{url}/confirm", params={"token": "x" * 40})).status_code == 400
            assert (await client.get(f"{url}/confirm", params={"token": "<script>"})).status_code == 422
            supervisor = bearer(settings, "supervisor")
            counts = (await client.get(f"/v1/subscriptions/counts?neighborhood={HOOD}", headers=supervisor)).json()
            pending_before = counts["pending"]
            assert counts["confirmed"].get("es", 0) >= 0 and pending_before >= 1

            r = await client.get(confirm)
            assert r.status_code == 200 and "Ya está suscrito" in r.text and me not in r.text
            after = (await client.get(f"/v1/subscriptions/counts?neighborhood={HOOD}", headers=supervisor)).json()
            assert after["pending"] == pending_before - 1
            assert after["confirmed"]["es"] == counts["confirmed"].get("es", 0) + 1
            assert me not in str(after)
            assert (await client.get(confirm)).status_code == 200  # a second click is harmless

            # An address the server refuses: recorded as bounced, never tried again.
            r = await client.post(url, json={"email": gone, "neighborhood": HOOD})
            assert r.status_code == 202

            async def bounced() -> bool:
                status = await scalar(
                    settings, "SELECT status FROM intake.subscribers WHERE email_key = :e", e=address_key(gone)
                )
                return status == "bounced"

            await eventually(bounced, timeout_s=20)
            reason = await scalar(
                settings, "SELECT bounce_reason FROM intake.subscribers WHERE email_key = :e", e=address_key(gone)
            )
            assert "550" in str(reason)

            # One click: RFC 8058's POST, as a mail client sends it; the unsubscribe link is not the
            # confirm link (a token is good for its own purpose only).
            secret = await scalar(settings, "SELECT secret FROM intake.subscription_secret")
            subscriber = await scalar(
                settings, "SELECT id FROM intake.subscribers WHERE email_key = :e", e=address_key(me)
            )
            unsubscribe_token = tokens.make(bytes(secret), "unsubscribe", uuid.UUID(str(subscriber)))
            assert (await client.get(f"{url}/confirm", params={"token": unsubscribe_token})).status_code == 400
            r = await client.post(
                f"{url}/unsubscribe?token={unsubscribe_token}",
                content=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert r.status_code == 200 and "Ya no está suscrito" in r.text
            final = (await client.get(f"/v1/subscriptions/counts?neighborhood={HOOD}", headers=supervisor)).json()
            assert final["confirmed"].get("es", 0) == counts["confirmed"].get("es", 0)
            assert (await client.get(f"{url}/unsubscribe", params={"token": unsubscribe_token})).status_code == 200
            # Neither address is kept once it may not be mailed.
            for gone_or_left in (me, gone):
                kept = await scalar(
                    settings, "SELECT email FROM intake.subscribers WHERE email_key = :e", e=address_key(gone_or_left)
                )
                assert kept == ""

            # Staff only, and figures only.
            assert (
                await client.get(f"/v1/subscriptions/counts?neighborhood={HOOD}", headers=bearer(settings, "officer"))
            ).status_code == 403

            await check_the_public_pages_form(app, client, settings, sink)
    finally:
        sink.controller.stop()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address", "neighborhood": HOOD}, "body.email"),
        ({"email": "someone@mailinator.com", "neighborhood": HOOD}, "body.email"),
        ({"email": "a@example.org", "neighborhood": "atlantis"}, "body.neighborhood"),
        ({"email": "a@example.org", "neighborhood": HOOD, "language": "fr"}, "body.language"),
        ({"email": "a@example.org", "neighborhood": HOOD, "name": "Maria"}, "body.name"),
        ({"email": "<script>@example.org", "neighborhood": HOOD}, "body.email"),
    ],
)
async def test_bad_addresses_are_refused_naming_the_field_and_nothing_is_kept(settings, body, field) -> None:
    async with running("intake", settings, background=False) as (_, client):
        before = await scalar(settings, "SELECT count(*) FROM intake.subscribers")
        r = await client.post("/v1/public/subscriptions", json=body)
        assert r.status_code == 422 and field in r.text, r.text
        assert await scalar(settings, "SELECT count(*) FROM intake.subscribers") == before


async def check_the_public_pages_form(app: Any, client: Any, settings: Any, sink: Sink) -> None:
    """The form of the public page (no script): "check your email" the same for every address, in
    Spanish, and the confirmation arrives; a refusal is a 422 page saying what to correct in plain
    words, nothing kept and nothing mailed; over the rate limit, a 429 page. (Run on the running
    intake of the test above: starting and stopping intake costs seconds.)"""
    me = f"lucia.{uuid.uuid4().hex[:8]}@example.org"
    form = "/v1/public/subscriptions/form"
    came_from = f"https://engage.city.example/public/es/neighborhoods/{HOOD}"
    r = await client.post(form, data={"email": me, "neighborhood": HOOD, "language": "es"})  # no sign-in
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.text
    assert r.headers["cache-control"] == "no-store"
    assert '<html lang="es">' in r.text and "Revise su correo" in r.text and "le llegará un enlace" in r.text
    assert me not in r.text and "<a " not in r.text  # no Referer: no link back

    async def arrived() -> bool:
        return len(sink.to(me)) == 1

    await eventually(arrived, timeout_s=20)
    assert sink.to(me)[0]["Content-Language"] == "es"

    # The same page again, for an address already waiting (and in another case); with a
    # Referer that is a web page, a link back to it; with any other, none.
    again = await client.post(form, data={"email": me.upper(), "neighborhood": HOOD, "language": "es"})
    assert (again.status_code, again.text) == (200, r.text)
    back = await client.post(
        form, data={"email": me, "neighborhood": HOOD, "language": "es"}, headers={"Referer": came_from}
    )
    assert f'<a href="{came_from}">Volver a la página anterior</a>' in back.text
    sneaky = await client.post(
        form, data={"email": me, "neighborhood": HOOD}, headers={"Referer": "javascript:alert(1)"}
    )
    assert sneaky.status_code == 200 and "Check your email" in sneaky.text and "javascript" not in sneaky.text
    # Sent again from the page that asked to correct it: the form route is no page to go back to.
    itself = await client.post(form, data={"email": me, "neighborhood": HOOD}, headers={"Referer": f"http://x{form}"})
    assert "<a " not in itself.text
    assert len(sink.to(me)) == 1  # one confirmation, however often asked

    count = "SELECT count(*) FROM intake.subscribers"
    queued = "SELECT count(*) FROM intake.mail_queue"
    before = (await scalar(settings, count), await scalar(settings, queued))
    refused = [
        ({"email": "not an address", "language": "es"}, "Esto no parece una dirección de correo", True),
        ({"email": "someone@mailinator.com"}, "a service for throwaway addresses", True),
        ({"email": "<script>x</script>@example.org"}, "does not look like an email address", True),
        ({"email": ""}, "Please write your email address.", True),
        ({"email": "ana@example.org", "neighborhood": "atlantis"}, "We do not know this neighborhood", False),
        ({"email": "ana@example.org", "language": "fr"}, "in English or Spanish only", False),
    ]
    for fields, words, form_again in refused:
        r = await client.post(form, data={"neighborhood": HOOD, **fields}, headers={"Referer": came_from})
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), r.text
        assert words in r.text and f'<a href="{came_from}">' in r.text, r.text
        for developer_words in ("body.", "Value error", "field", "<script>"):
            assert developer_words not in r.text, (developer_words, r.text)
        # The form again, with what was typed in it (escaped), only when the address is what to fix.
        assert ('name="email"' in r.text) is form_again
        if form_again and fields["email"]:
            assert f'value="{escape(fields["email"])}"' in r.text
    assert (await scalar(settings, count), await scalar(settings, queued)) == before

    # Over the limit (the JSON route's): a page too, with Retry-After.
    app.state.authenticator.sign_ins = RateLimit("1/hour", "sign-in")
    assert (await client.post(form, data={"email": me, "neighborhood": HOOD})).status_code == 200
    r = await client.post(form, data={"email": me, "neighborhood": HOOD, "language": "es"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "Espere un minuto" in r.text and me not in r.text


async def test_with_no_relay_the_demo_mail_goes_into_a_maildir(settings, tmp_path) -> None:
    """``make run`` with no SMTP relay: each message lands in the Maildir, whole, with its link."""
    import mailbox

    box = tmp_path / "mail"
    me = f"demo.{uuid.uuid4().hex[:8]}@example.org"
    async with running("intake", settings) as (app, client):
        app.state.runtime.provide(IntakeSettings(mail_dir=box, public_url="https://engage.city.example/api/intake"))
        r = await client.post("/v1/public/subscriptions", json={"email": me, "neighborhood": HOOD})
        assert r.status_code == 202, r.text

        async def arrived() -> bool:
            return box.exists() and any(m["To"] == me for m in mailbox.Maildir(box, create=False))

        await eventually(arrived, timeout_s=20)
        [msg] = [m for m in mailbox.Maildir(box, create=False) if m["To"] == me]
        text = msg.get_payload()[0].get_payload(decode=True).decode()  # the plain-text part
        r = await client.get(link(text, "confirm"))
        assert r.status_code == 200 and "You are subscribed" in r.text
