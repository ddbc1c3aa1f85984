"""The small HTML pages residents see from subscriptions, in their language: "check your email"
after the public page's form, what to correct when the form was refused, and the confirm and
unsubscribe links' answers. Plain HTML, no script, readable on an old phone; every value escaped.
The routes send them (with ``Cache-Control: no-store``).
"""

from __future__ import annotations

from html import escape
from typing import Literal
from urllib.parse import urlsplit

Kind = Literal["check", "confirm", "unsubscribe"]
#: Why a form was refused (``code`` of the problem's error, service.py), and the rate limit.
Problem = Literal[
    "no_email", "not_an_email", "disposable_email", "unknown_neighborhood", "unknown_language", "too_many"
]

_DONE: dict[str, dict[str, tuple[str, str]]] = {
    "check": {
        "en": (
            "Check your email",
            "If the address can take mail, a link to confirm is on its way. Nothing else is sent before "
            "you follow it. If it is not there in a few minutes, look in your spam folder.",
        ),
        "es": (
            "Revise su correo",
            "Si la dirección puede recibir correo, le llegará un enlace para confirmar. No le enviaremos "
            "nada más antes de que lo abra. Si no lo ve en unos minutos, mire en la carpeta de correo no deseado.",
        ),
    },
    "confirm": {
        "en": ("You are subscribed", "You will get the updates for your neighborhood by email."),
        "es": ("Ya está suscrito", "Recibirá por correo las novedades de su vecindario."),
    },
    "unsubscribe": {
        "en": ("You are unsubscribed", "You will get no more email from us. You can subscribe again any time."),
        "es": ("Ya no está suscrito", "No le enviaremos más correos. Puede suscribirse otra vez cuando quiera."),
    },
}

_PROBLEMS: dict[str, dict[str, str]] = {
    "no_email": {
        "en": "Please write your email address.",
        "es": "Escriba su dirección de correo.",
    },
    "not_an_email": {
        "en": "This does not look like an email address. Please check it, for example maria@example.org.",
        "es": "Esto no parece una dirección de correo. Revísela; por ejemplo: maria@example.org.",
    },
    "disposable_email": {
        "en": "This address is from a service for throwaway addresses. Please use an address you will keep reading.",
        "es": "Esta dirección es de un servicio de correos temporales. Use una dirección que vaya a seguir leyendo.",
    },
    "unknown_neighborhood": {
        "en": "We do not know this neighborhood. Please go back to your neighborhood's page and try again there.",
        "es": "No conocemos este vecindario. Vuelva a la página de su vecindario e inténtelo otra vez desde allí.",
    },
    "unknown_language": {
        "en": "We send these updates in English or Spanish only. Please go back and try again.",
        "es": "Enviamos estas novedades solo en inglés o en español. Vuelva atrás e inténtelo otra vez.",
    },
    "too_many": {
        "en": "This form was sent many times in a short while. Please wait a minute and try again.",
        "es": "Este formulario se envió muchas veces en poco tiempo. Espere un minuto e inténtelo otra vez.",
    },
}
#: The refusals the resident can fix by correcting the address: the page offers the form again.
_FIX_THE_ADDRESS = frozenset({"no_email", "not_an_email", "disposable_email"})

_WORDS = {
    "refused": {"en": "Please check the form", "es": "Revise el formulario"},
    "email": {"en": "Your email address", "es": "Su dirección de correo"},
    "subscribe": {"en": "Subscribe", "es": "Suscribirme"},
    "back": {"en": "Back to the page you came from", "es": "Volver a la página anterior"},
}
_STYLE = (
    "*{box-sizing:border-box}"
    "body{font:18px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}"
    "a{color:#0b4f8a}label{display:block;font-weight:700;margin-top:1rem}"
    "input{font:inherit;width:100%;padding:.6rem .7rem;border:2px solid #555;border-radius:6px}"
    "button{font:inherit;font-weight:700;margin-top:.75rem;padding:.6rem 1.2rem;border:0;border-radius:6px;"
    "background:#0b4f8a;color:#fff}.problem{border-left:5px solid #b3261e;padding-left:.75rem}"
)


def page_language(language: str) -> str:
    return language if language in ("en", "es") else "en"


def back_link(referer: str | None, form_path: str) -> str | None:
    """The page the form was sent from, when the browser said so and it is a web page: never
    the form route itself (sent again from the page that asked to correct it), which is no page."""
    if not referer or len(referer) > 2000:
        return None
    parts = urlsplit(referer)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.endswith(form_path):
        return None
    return referer


def _html(language: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{escape(title)}</title><style>{_STYLE}</style></head>'
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def _back(language: str, back: str | None) -> str:
    return f'<p><a href="{escape(back)}">{escape(_WORDS["back"][language])}</a></p>' if back else ""


def done_page(kind: Kind, language: str, back: str | None = None) -> str:
    """A page that says it worked (the same for every address: it tells nobody who is on the list)."""
    language = page_language(language)
    title, text = _DONE[kind][language]
    return _html(language, title, f"<p>{escape(text)}</p>{_back(language, back)}")


def refused_page(problem: Problem, language: str, *, email: str, neighborhood: str, back: str | None) -> str:
    """What is wrong, in plain words; when the address is what to fix, the form again with it in
    (the one place the address is ever written back, escaped, to whoever just typed it)."""
    language = page_language(language)
    words = {k: v[language] for k, v in _WORDS.items()}
    body = f'<p class="problem" id="problem">{escape(_PROBLEMS[problem][language])}</p>'
    if problem in _FIX_THE_ADDRESS:
        body += (
            '<form method="post" action="form">'
            f'<input type="hidden" name="neighborhood" value="{escape(neighborhood)}">'
            f'<input type="hidden" name="language" value="{escape(language)}">'
            f'<label for="email">{escape(words["email"])}</label>'
            f'<input id="email" type="email" name="email" autocomplete="email" required maxlength="254" '
            f'value="{escape(email)}" aria-invalid="true" aria-describedby="problem">'
            f'<button type="submit">{escape(words["subscribe"])}</button></form>'
        )
    return _html(language, words["refused"], body + _back(language, back))
