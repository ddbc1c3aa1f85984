"""The card's version as an HTTP entity tag (``ETag: "7"``) and reading ``If-Match`` back."""

from __future__ import annotations

from porchlight.kit.errors import ValidationProblem


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(header: str | None) -> int | None:
    """The version an ``If-Match`` names (weak or strong), or None without the header."""
    if header is None:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise ValidationProblem(
            "If-Match must be the card's ETag", errors=[{"field": "header.If-Match", "message": "not an ETag we sent"}]
        )
    return int(value)
