"""A place's updates as an Atom feed (feedgen): one entry per published update, newest first, in
the feed's language, its id the update's URN (so a reader never shows one twice)."""

from __future__ import annotations

from feedgen.feed import FeedGenerator

from porchlight.dashboard.branding.schemas import BrandOut
from porchlight.dashboard.public.rendering.i18n import gettext
from porchlight.dashboard.public.schemas import PublicPage


def atom(page: PublicPage, brand: BrandOut) -> bytes:
    fg = FeedGenerator()
    fg.id(f"{page.url}/feed.atom")
    fg.title(gettext(page.language, "Updates for {place}").format(place=page.name))
    fg.subtitle(brand.tagline or brand.name)
    fg.author({"name": brand.name})
    fg.link(href=page.url, rel="alternate", type="text/html")
    fg.link(href=page.feed_url, rel="self", type="application/atom+xml")
    fg.language(page.language)
    fg.updated(max((u.published_at for u in page.updates), default=page.generated_at))
    # feedgen prepends each entry: add the oldest first so the newest leads the document.
    for u in reversed(page.updates):
        entry = fg.add_entry()
        entry.id(f"urn:uuid:{u.id}")
        entry.title(u.title)
        entry.link(href=f"{page.url}#update-{u.id}", rel="alternate", type="text/html")
        entry.published(u.published_at)
        entry.updated(u.published_at)
        summary = "\n\n".join([*u.story(), u.body])
        entry.summary(summary)
        entry.content(summary, type="text")
    return fg.atom_str(pretty=True)
