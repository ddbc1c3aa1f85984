"""HTTP route of the plain-language check: the editors of wins, updates and public tasks call it
as a person types, and show each flag beside the text."""

from __future__ import annotations

from fastapi import APIRouter

from porchlight.kit.auth import Staff
from porchlight.kit.plain_language import Reading, check
from porchlight.projects.plainlanguage.schemas import PlainTextIn

router = APIRouter(prefix="/v1/plain-language", tags=["plain language"])


@router.post("", response_model=Reading)
async def check_plain_language(body: PlainTextIn, _: Staff) -> Reading:
    """Score a public text as residents will read it.

    Its reading grade (target 8 or below; above 10 publishing needs a written reason), sentences
    over 25 words, and police or city jargon, each with what to write instead.
    """
    return check(body.text, body.language)
