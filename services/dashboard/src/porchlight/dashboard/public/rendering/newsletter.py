"""A published update as a newsletter edition per language: HTML with every style inlined
(css-inline: mail clients drop style sheets) and a plain-text part with the same words. The
recipient's unsubscribe link is left as ``UNSUBSCRIBE_URL`` for intake, which alone knows who
gets it (ADR 0017). Every text is escaped (Jinja2 autoescape)."""

from __future__ import annotations

import css_inline

from porchlight.dashboard.branding.schemas import BrandOut
from porchlight.dashboard.public.rendering.html import environment
from porchlight.dashboard.public.rendering.i18n import Language, gettext
from porchlight.dashboard.public.schemas import PublicUpdate
from porchlight.events.catalog import UNSUBSCRIBE_URL, NewsletterEdition

_INLINER = css_inline.CSSInliner(keep_style_tags=False)


def edition(
    update: PublicUpdate, brand: BrandOut, *, language: Language, place: str, page_url: str
) -> NewsletterEdition:
    html = (
        environment(language)
        .get_template("newsletter.html")
        .render(
            update=update,
            brand=brand,
            language=language,
            place=place,
            page_url=page_url,
            unsubscribe=UNSUBSCRIBE_URL,
        )
    )
    lines = [place, "", update.title, ""]
    for line in update.story():
        lines += [line, ""]
    lines += [update.body, "", gettext(language, "See everything for %(place)s") % {"place": place} + ":", page_url, ""]
    lines += [
        gettext(language, "You get this because you asked for updates about %(place)s.") % {"place": place},
        gettext(language, "Unsubscribe in one click") + ": " + UNSUBSCRIBE_URL,
        "",
        brand.name + (f" · {brand.contact}" if brand.contact else ""),
    ]
    subject = f"{place}: {update.title}"
    return NewsletterEdition(subject=subject[:200], html=_INLINER.inline(html), text="\n".join(lines))
