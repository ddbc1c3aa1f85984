"""HTTP routes of subscriptions.

Public (no sign-in; a resident's own address, nothing returned about anyone): subscribe, confirm,
unsubscribe — the last one answers a GET (the link in the message: one click) and a POST (RFC
8058's ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, sent by the mail client itself).
Staff: how many addresses a neighborhood has, per language (never the addresses).
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from porchlight.intake.settings import Config
from porchlight.intake.subscriptions import service
from porchlight.intake.subscriptions.schemas import Counts, SubscribeIn, SubscribeOut
from porchlight.kit.app import Session
from porchlight.kit.auth import Authenticator, Public, Supervisor

router = APIRouter(tags=["subscriptions"])

PUBLIC = Public("a resident's own subscription: the answers say nothing about any address")
Token = Annotated[str, Query(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]

_DONE = {
    "confirm": {
        "en": ("You are subscribed", "You will get the updates for your neighborhood by email."),
        "es": ("Ya está suscrito", "Recibirá por correo las novedades de su vecindario."),
    },
    "unsubscribe": {
        "en": ("You are unsubscribed", "You will get no more email from us. You can subscribe again any time."),
        "es": ("Ya no está suscrito", "No le enviaremos más correos. Puede suscribirse otra vez cuando quiera."),
    },
}


async def per_address_limit(request: Request) -> None:
    """Public writes per client address (the sign-in limit's window): a script cannot flood the list."""
    authenticator: Authenticator = request.app.state.authenticator
    authenticator.sign_ins.check(request.client.host if request.client else "unknown")


def _page(kind: str, language: str) -> HTMLResponse:
    title, text = _DONE[kind].get(language, _DONE[kind]["en"])
    html = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;font-size:18px">'
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>"
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.post(
    "/v1/public/subscriptions",
    response_model=SubscribeOut,
    status_code=202,
    dependencies=[Depends(PUBLIC), Depends(per_address_limit)],
    responses={422: {}, 429: {}},
)
async def subscribe(body: SubscribeIn, session: Session) -> SubscribeOut:
    """Ask for a neighborhood's updates by email.

    A confirmation message goes to the address (double opt-in); nothing else is sent before its
    link is followed. Invalid and disposable addresses, and unknown neighborhoods, are a 422
    naming the field. The answer is the same for a new, waiting or subscribed address.
    """
    await service.subscribe(session, body)
    return SubscribeOut(message="If the address can take mail, a link to confirm is on its way.")


@router.get(
    "/v1/public/subscriptions/confirm",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={400: {}},
)
async def confirm(token: Token, session: Session, config: Config) -> HTMLResponse:
    """The link in the confirmation message: the subscription starts (a forged link is a 400)."""
    found = await service.confirm(session, token, config)
    return _page("confirm", found.language)


@router.get(
    "/v1/public/subscriptions/unsubscribe",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={400: {}},
)
async def unsubscribe_link(token: Token, session: Session) -> HTMLResponse:
    """The unsubscribe link in every message: one click, and no more mail."""
    found = await service.unsubscribe(session, token)
    return _page("unsubscribe", found.language)


@router.post(
    "/v1/public/subscriptions/unsubscribe",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={400: {}},
)
async def unsubscribe_one_click(token: Token, session: Session) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe: the mail client POSTs ``List-Unsubscribe=One-Click`` here."""
    found = await service.unsubscribe(session, token)
    return _page("unsubscribe", found.language)


@router.get("/v1/subscriptions/counts", response_model=Counts)
async def subscription_counts(
    session: Session, _: Supervisor, neighborhood: Annotated[str, Query(min_length=1, max_length=100)]
) -> Counts:
    """How many addresses a neighborhood's updates go to, per language (shown before sending)."""
    return await service.counts(session, neighborhood)
