"""Residents' words on the broker, sealed under a key of their note's own (docs/adr/0014).

A broker keeps what it is given: the embedded one until it stops, Kafka for a topic's retention
period, its replicas and backups longer; none of them deletes one record. So a note's words never
go there in clear. An event that carries them (a ``CarriesWords`` event: a note, its analysis, a
connection's quotes) carries them encrypted with AES-256-GCM under that note's key, which lives in
the keyring (keyring.py). Erasing the note destroys its key, and every copy of its words on every
topic becomes noise at once ("crypto-shredding").

``Outbox.add`` seals (``seal``) and the consumer runner opens (``open_sealed``) inside the
transactions they already run, so handlers see plain words and producers write them as before.
A note whose key is gone opens with its words blank, which is what an erased note looks like
everywhere else.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

E = TypeVar("E")

#: Bytes of a note's key (AES-256).
KEY_BYTES = 32


class SealedWords(BaseModel):
    """One note's words in an event, encrypted under that note's key (docs/adr/0014)."""

    note_id: UUID
    alg: Literal["A256GCM"] = "A256GCM"
    #: 96-bit nonce, base64url.
    nonce: str
    #: The words as JSON, encrypted and authenticated (the tag is appended), base64url.
    data: str


class SealFailed(ValueError):
    """A sealed blob that does not open with its note's key: altered, or sealed for another note."""


class CarriesWords:
    """An event that carries residents' words: it says which note's words are where.

    ``words`` gives each note's words as plain JSON data, ``without_words`` the event with them
    blanked (how an erased note's event looks) and ``with_words`` puts opened words back.
    Subclasses are pydantic models with a ``sealed: list[SealedWords]`` field.
    """

    sealed: list[SealedWords]

    def words(self) -> dict[UUID, dict[str, Any]]:
        raise NotImplementedError

    def without_words(self) -> Self:
        raise NotImplementedError

    def with_words(self, words: Mapping[UUID, dict[str, Any]]) -> Self:
        raise NotImplementedError


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aad(note_id: UUID) -> bytes:
    # Binds a blob to its note: words copied under another note's id do not open.
    return f"porchlight-words:{note_id}".encode()


def seal_words(key: bytes, note_id: UUID, words: dict[str, Any]) -> SealedWords:
    nonce = os.urandom(12)
    data = AESGCM(key).encrypt(nonce, orjson.dumps(words), _aad(note_id))
    return SealedWords(note_id=note_id, nonce=_b64(nonce), data=_b64(data))


def open_words(key: bytes, sealed: SealedWords) -> dict[str, Any]:
    try:
        plain = AESGCM(key).decrypt(_unb64(sealed.nonce), _unb64(sealed.data), _aad(sealed.note_id))
    except (InvalidTag, ValueError) as exc:
        raise SealFailed(f"the words of note {sealed.note_id} do not open with its key") from exc
    words = orjson.loads(plain)
    if not isinstance(words, dict):
        raise SealFailed(f"the words of note {sealed.note_id} are not an object")
    return words


def notes_to_seal(event: object) -> set[UUID]:
    """The notes whose keys sealing ``event`` needs (none for an event without words)."""
    return set(event.words()) if isinstance(event, CarriesWords) and not event.sealed else set()


def notes_to_open(event: object) -> set[UUID]:
    """The notes whose keys opening ``event`` needs."""
    return {s.note_id for s in event.sealed} if isinstance(event, CarriesWords) else set()


def seal(event: E, keys: Mapping[UUID, bytes]) -> E:
    """``event`` with its words sealed under their notes' keys; words of a note with no key (an
    erased one) are left out. An event without words, or sealed already, is returned as is."""
    if not isinstance(event, CarriesWords) or event.sealed:
        return event
    sealed = [seal_words(keys[n], n, w) for n, w in event.words().items() if n in keys]
    blank = event.without_words()
    return blank.model_copy(update={"sealed": sealed})  # type: ignore[attr-defined, no-any-return]


def open_sealed(event: E, keys: Mapping[UUID, bytes]) -> E:
    """``event`` with its sealed words opened; a note whose key is gone stays blank.

    Raises ``SealFailed`` for a blob its key does not open (never silently blank: it was altered).
    """
    if not isinstance(event, CarriesWords) or not event.sealed:
        return event
    opened = {s.note_id: open_words(keys[s.note_id], s) for s in event.sealed if s.note_id in keys}
    return event.with_words(opened).model_copy(update={"sealed": []})  # type: ignore[attr-defined, no-any-return]
