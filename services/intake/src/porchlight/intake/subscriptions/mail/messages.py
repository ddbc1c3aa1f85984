"""The confirmation message, in the subscriber's language: a plain-text part and an HTML part
(inline styles only: mail clients drop style sheets), every text escaped in the HTML."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from html import escape

from porchlight.events.catalog import UNSUBSCRIBE_URL

_TEXT = {
    "en": {
        "subject": "Confirm: updates for {place}",
        "lead": "Someone (we hope you) asked for email updates about {place}: what neighbors raised, "
        "what the city is doing about it, and what is done.",
        "action": "Confirm",
        "then": "To start getting them, confirm with this link:",
        "ignore": "If it was not you, ignore this message: nothing will be sent.",
    },
    "es": {
        "subject": "Confirme: novedades de {place}",
        "lead": "Alguien (esperamos que usted) pidió novedades por correo sobre {place}: lo que dijeron "
        "los vecinos, lo que la ciudad está haciendo y lo que ya está hecho.",
        "action": "Confirmar",
        "then": "Para empezar a recibirlas, confirme con este enlace:",
        "ignore": "Si no fue usted, ignore este mensaje: no le enviaremos nada.",
    },
}


def confirmation(
    *, to: str, sender: str, message_id: str, language: str, place: str, team: str, confirm_url: str
) -> EmailMessage:
    t = {k: v.format(place=place) for k, v in _TEXT.get(language, _TEXT["en"]).items()}
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = t["subject"]
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Auto-Submitted"] = "auto-generated"  # no autoresponder answers it
    msg.set_content(f"{t['lead']}\n\n{t['then']}\n{confirm_url}\n\n{t['ignore']}\n\n{team}\n")
    body = 'style="font-family:Arial,sans-serif;font-size:17px;line-height:1.5;color:#1b1b1b"'
    button = (
        'style="display:inline-block;background:#1f6f5c;color:#ffffff;padding:12px 20px;'
        'border-radius:6px;text-decoration:none;font-weight:bold"'
    )
    muted = 'style="color:#555555;font-size:15px"'
    msg.add_alternative(
        f'<!doctype html><html lang="{escape(language)}"><body {body}>'
        f"<p>{escape(t['lead'])}</p>"
        f'<p><a href="{escape(confirm_url)}" {button}>{escape(t["action"])}</a></p>'
        f"<p {muted}>{escape(t['ignore'])}</p><p {muted}>{escape(team)}</p></body></html>",
        subtype="html",
    )
    # After the parts: the email package moves Content-* headers into the first part when it
    # makes the message multipart.
    msg["Content-Language"] = language
    return msg


# Tokens a newsletter's template holds where each recipient's own values go (newsletter_bytes).
_TO, _MID, _UNSUB = "to@token.invalid", "<message-id@token.invalid>", "https://token.invalid/unsubscribe"
_TEXT_PART, _HTML_PART = "text-token", "html-token"


def _b64(text: str) -> bytes:
    """A part's body as the email package writes base64: 76-character lines, CRLF."""
    return base64.encodebytes(text.encode()).rstrip(b"\n").replace(b"\n", b"\r\n")


def newsletter_template(*, sender: str, language: str, edition: dict[str, str], list_id: str) -> bytes:
    """A newsletter edition as wire bytes with tokens for the recipient, the message id and the
    unsubscribe link: built once per edition by the email package (headers folded and encoded as
    the RFCs say), then filled per recipient by ``newsletter_bytes`` — building 50,000 messages
    with the email package took most of the mailer's time."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = _TO
    msg["Subject"] = edition["subject"]
    msg["Message-ID"] = _MID
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["List-Id"] = list_id
    # RFC 2369's button in the mail client, and RFC 8058's one click (no page to visit).
    msg["List-Unsubscribe"] = f"<{_UNSUB}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Precedence"] = "bulk"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_TEXT_PART, cte="base64")
    msg.add_alternative(_HTML_PART, subtype="html", cte="base64")
    msg["Content-Language"] = language
    return msg.as_bytes(policy=SMTP)


def newsletter_bytes(
    template: bytes, *, to: str, message_id: str, unsubscribe_url: str, edition: dict[str, str]
) -> bytes:
    """One recipient's newsletter: their address, the message's id, their unsubscribe link (in
    the headers and in both parts; escaped in the HTML)."""
    text = edition["text"].replace(UNSUBSCRIBE_URL, unsubscribe_url)
    html = edition["html"].replace(UNSUBSCRIBE_URL, escape(unsubscribe_url))
    return (
        template.replace(_TO.encode(), to.encode(), 1)
        .replace(_MID.encode(), message_id.encode(), 1)
        .replace(_UNSUB.encode(), unsubscribe_url.encode(), 1)
        # The email package ends a text part with a newline before encoding it.
        .replace(_b64(_TEXT_PART + "\n"), _b64(text if text.endswith("\n") else text + "\n"), 1)
        .replace(_b64(_HTML_PART + "\n"), _b64(html if html.endswith("\n") else html + "\n"), 1)
    )
