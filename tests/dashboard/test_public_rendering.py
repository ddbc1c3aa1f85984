"""The public page's words (pure logic, no servers): every message of the pages, feeds and flyers
has its Spanish, and both languages render the figures as the page says them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import porchlight.dashboard.public as public
from porchlight.dashboard.branding.schemas import DEFAULT
from porchlight.dashboard.branding.service import _out
from porchlight.dashboard.pages.schemas import ConcernEstimate
from porchlight.dashboard.public.rendering.html import render_page
from porchlight.dashboard.public.rendering.i18n import Language
from porchlight.dashboard.public.schemas import PublicPage, RaisedTopic
from porchlight.dashboard.public.service import about, you_said_line
from porchlight.kit.plain_language import check

PUBLIC = Path(public.__file__).parent
# gettext(language, message) and ngettext(language, singular, plural, n): the message is the 2nd.
KEYWORDS = {"gettext": (2,), "ngettext": (2, 3), "_": None, "label": (2,)}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _messages() -> set[str]:
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(PUBLIC, METHODS, keywords=KEYWORDS, options_map={
        "**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}):  # fmt: skip
        # A plural is catalogued under its singular.
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_of_the_public_channels_has_its_spanish() -> None:
    messages = _messages()
    assert "You said, we did" in messages and "{n} time" in messages and "Done on %(day)s" in messages
    with (PUBLIC / "rendering" / "locales" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="es")
    missing = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"no Spanish for: {missing}"


def test_the_channels_own_sentences_read_plainly_in_both_languages() -> None:
    """What the platform itself says on every page, newsletter and flyer is held to the rule staff
    texts are: grade 8 or below, no jargon (a word or two has no meaningful grade: sentences only)."""
    with (PUBLIC / "rendering" / "locales" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="es")
    sentences: list[tuple[str, str]] = []
    for m in catalog:
        if not m.id:  # the catalog's header
            continue
        english = m.id if isinstance(m.id, tuple) else (m.id,)
        spanish = m.string if isinstance(m.string, tuple) else (m.string,)
        sentences += [("en", t) for t in english if t and len(t.split()) >= 6]
        sentences += [("es", t) for t in spanish if t and len(t.split()) >= 6]
    assert len(sentences) >= 20, sentences
    hard = [
        (lang, t, r.grade, [f.text for f in r.flags])
        for lang, t in sentences
        if (r := check(t, lang)).grade > 8 or r.flags
    ]
    assert not hard, hard


LABELS = {"en": "Street lighting", "es": "Alumbrado público"}


def _page(language: Language) -> PublicPage:
    estimate = ConcernEstimate(count=11, low=8, high=14, basis="evaluation", labels=2252)
    return PublicPage(
        kind="neighborhood", code="south-end", name="South End", district="D4", language=language,
        since=date(2026, 9, 8), quieter_topics=2, work=[], updates=[],
        raised=[RaisedTopic(topic="street_lighting", label=LABELS[language], notes=12, meetings=4,
                            estimate=estimate, about=about(language, 12, estimate), quote="It is dark")],
        url=f"http://x/public/{language}/neighborhoods/south-end", feed_url="http://x/feed.atom",
        generated_at=datetime.now(UTC),
    )  # fmt: skip


def test_both_languages_render_the_estimate_and_say_what_it_means() -> None:
    brand = _out(DEFAULT, logo=False)
    en = render_page(_page("en"), brand)
    assert "about 11 (8\u201314)" in en and "range we are 90% sure of" in en and "2 more topics" in en
    es = render_page(_page("es"), brand)
    assert "unas 11 (8\u201314)" in es and "seguros al 90 %." in es and "Otros 2 temas" in es
    assert 'lang="es"' in es and "Lo que nos dijeron desde el 8 de septiembre" in es


def test_the_you_said_line_counts_in_each_language() -> None:
    assert you_said_line("en", ["street lighting"], 1, 1, "South End", date(2026, 9, 8)) == (
        "Neighbors raised street lighting 1 time at 1 meeting in South End since September 8."
    )
    assert you_said_line("es", ["ruido", "parques"], 7, 2, "Roxbury", date(2026, 1, 2)) == (
        "Los vecinos hablaron de ruido y parques 7 veces en 2 reuniones en Roxbury desde el 2 de enero."
    )
