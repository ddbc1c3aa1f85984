"""The public channels in residents' languages: gettext catalogs (Babel's .po files, compiled in
memory the first time a language is asked for) and Babel's dates and numbers.

English is the source language; ``locales/<lang>/LC_MESSAGES/messages.po`` holds each other
language. Topic names pass through the catalog too: a city adds the translation of each of its
taxonomy's labels there (the demo city's are in the Spanish catalog), and a label without one
stays as the taxonomy gives it.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "es": "Español"}

_LOCALES = Path(__file__).with_name("locales")


@cache
def translations(language: Language) -> NullTranslations:
    """The language's catalog (English: none, the messages are English)."""
    po = _LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(language: Language, message: str) -> str:
    return translations(language).gettext(message)


def ngettext(language: Language, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


def day(language: Language, when: date | datetime) -> str:
    """ "September 8" / "8 de septiembre"."""
    return format_date(when, "MMMM d" if language == "en" else "d 'de' MMMM", locale=language)


def full_day(language: Language, when: date | datetime) -> str:
    return format_date(when, "long", locale=language)


def number(language: Language, n: float) -> str:
    return format_decimal(n, locale=language)
