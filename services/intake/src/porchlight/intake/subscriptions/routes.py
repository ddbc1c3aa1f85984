"""HTTP routes of subscriptions.

Public (no sign-in; a resident's own address, nothing returned about anyone): subscribe (JSON, or
the public page's HTML form, which answers a page in the resident's language and works without
script), confirm, unsubscribe — the last one answers a GET (the link in the message: one click)
and a POST (RFC 8058's ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, sent by the mail
client itself).
Staff: how many addresses a neighborhood has, per language (never the addresses).
"""

from __future__ import annotations

from typing import Annotated, cast, get_args

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from porchlight.intake.settings import Config
from porchlight.intake.subscriptions import service
from porchlight.intake.subscriptions.pages.render import Problem, back_link, done_page, page_language, refused_page
from porchlight.intake.subscriptions.schemas import Counts, SubscribeIn, SubscribeOut
from porchlight.kit.app import Session
from porchlight.kit.auth import Authenticator, Public, Supervisor
from porchlight.kit.errors import ValidationProblem
from porchlight.kit.inputs import has_control, printable
from porchlight.kit.ratelimit import TooManyRequests

router = APIRouter(tags=["subscriptions"])

PUBLIC = Public("a resident's own subscription: the answers say nothing about any address")
Token = Annotated[str, Query(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


async def per_address_limit(request: Request) -> None:
    """Public writes per client address (the sign-in limit's window): a script cannot flood the list."""
    authenticator: Authenticator = request.app.state.authenticator
    authenticator.sign_ins.check(request.client.host if request.client else "unknown")


def _page(html: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


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


_PROBLEMS: frozenset[str] = frozenset(get_args(Problem))
FormField = Annotated[str, Form()]
_PAGE = {
    "text/html": {"schema": {"type": "string"}},
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}},
}
#: The most of a refused field the page writes back (an address is at most 254 characters).
_ECHO = 320


@router.post(
    "/v1/public/subscriptions/form",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={
        422: {"description": "What to correct, as a page (a body that is no form: a problem)", "content": _PAGE},
        429: {"description": "Sent too often from this address, as a page", "content": _PAGE},
    },
)
async def subscribe_form(
    request: Request, session: Session, email: FormField = "", neighborhood: FormField = "", language: FormField = "en"
) -> HTMLResponse:
    """The public page's "Get these updates by email" form (``application/x-www-form-urlencoded``).

    The JSON route's rules and rate limit; the answer is a page in the resident's language: the
    same "check your email" for every address, or a 422 saying in plain words what to correct
    (with the form again when it is the address). The address is never logged nor written back
    anywhere but into that form. A link back goes to the ``Referer`` when it is a web page.
    """
    back = back_link(request.headers.get("referer"), request.url.path)

    def refused(problem: Problem, status: int = 422, headers: dict[str, str] | None = None) -> HTMLResponse:
        # What was typed goes back into the form only, as text (control characters shown as such).
        kept = {"email": printable(email)[:_ECHO], "neighborhood": printable(neighborhood)[:_ECHO]}
        page = refused_page(problem, language, back=back, **kept)
        return _page(page, status, headers)

    try:
        await per_address_limit(request)
    except TooManyRequests as exc:
        return refused("too_many", 429, exc.headers)
    address = email.strip()
    if language != page_language(language):
        return refused("unknown_language")
    if not neighborhood or len(neighborhood) > 100 or has_control(neighborhood, one_line=True):
        return refused("unknown_neighborhood")
    if not address:
        return refused("no_email")
    if not 3 <= len(address) <= 254 or has_control(address, one_line=True):
        return refused("not_an_email")
    body = SubscribeIn.model_validate({"email": address, "neighborhood": neighborhood, "language": language})
    try:
        await service.subscribe(session, body)
    except ValidationProblem as exc:
        code = next((e.get("code", "") for e in exc.errors or []), "")
        return refused(cast(Problem, code) if code in _PROBLEMS else "not_an_email")
    return _page(done_page("check", language, back))


@router.get(
    "/v1/public/subscriptions/confirm",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={400: {}},
)
async def confirm(token: Token, session: Session, config: Config) -> HTMLResponse:
    """The link in the confirmation message: the subscription starts (a forged link is a 400)."""
    found = await service.confirm(session, token, config)
    return _page(done_page("confirm", found.language))


@router.get(
    "/v1/public/subscriptions/unsubscribe",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={400: {}},
)
async def unsubscribe_link(token: Token, session: Session) -> HTMLResponse:
    """The unsubscribe link in every message: one click, and no more mail."""
    found = await service.unsubscribe(session, token)
    return _page(done_page("unsubscribe", found.language))


@router.post(
    "/v1/public/subscriptions/unsubscribe",
    response_class=HTMLResponse,
    dependencies=[Depends(PUBLIC)],
    responses={400: {}},
)
async def unsubscribe_one_click(token: Token, session: Session) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe: the mail client POSTs ``List-Unsubscribe=One-Click`` here."""
    found = await service.unsubscribe(session, token)
    return _page(done_page("unsubscribe", found.language))


@router.get("/v1/subscriptions/counts", response_model=Counts)
async def subscription_counts(
    session: Session, _: Supervisor, neighborhood: Annotated[str, Query(min_length=1, max_length=100)]
) -> Counts:
    """How many addresses a neighborhood's updates go to, per language (shown before sending)."""
    return await service.counts(session, neighborhood)
