"""The public page as HTML (Jinja2 with Babel's gettext, autoescaped: every text from staff or
residents is escaped, script included)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from porchlight.dashboard.branding.schemas import BrandOut
from porchlight.dashboard.public.rendering.i18n import LANGUAGE_NAMES, LANGUAGES, Language, day, translations
from porchlight.dashboard.public.schemas import PublicPage


@cache
def environment(language: Language) -> Environment:
    env = Environment(
        loader=PackageLoader("porchlight.dashboard.public.rendering", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["fmt_day"] = lambda when: day(language, when)
    return env


@dataclass(frozen=True)
class SubscribeForm:
    """The page's "Get these updates by email" form: it posts to intake's form route (intake alone
    keeps the addresses, ADR 0017); the dashboard never stores one."""

    #: Intake's form route, absolute (another origin) or relative to this page's origin.
    action: str
    #: ``(code, name)`` of the neighborhoods a district's page offers; empty on a neighborhood's.
    neighborhoods: tuple[tuple[str, str], ...] = ()


def alternates(page: PublicPage) -> dict[str, str]:
    """The page in each language (for the language switch and ``hreflang``)."""
    return {lang: page.url.replace(f"/public/{page.language}/", f"/public/{lang}/", 1) for lang in LANGUAGES}


def render_page(page: PublicPage, brand: BrandOut, subscribe: SubscribeForm | None = None) -> str:
    context: dict[str, Any] = {
        "subscribe": subscribe,
        "page": page,
        "brand": brand,
        "since": day(page.language, page.since),
        "estimated": any(t.estimate for t in page.raised),
        "alternates": alternates(page),
        "language_names": LANGUAGE_NAMES,
    }
    return environment(page.language).get_template("page.html").render(context)
