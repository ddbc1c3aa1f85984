"""The keyring: one key per note, for the words its events carry sealed (sealing.py, docs/adr/0014).

A small table in its own schema (``keyring.note_keys``) of the platform's database, the way a
key-management service would hold them: every service reads it, within the transaction that
seals or opens, so a key never travels on the broker or over HTTP. A key is created by the first
event that seals the note's words (intake's ``note.submitted``, in the transaction that stores
the note) and shredded when the note is erased. Shredding leaves a tombstone (``key`` NULL), so
no later seal can give an erased note a fresh key.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from porchlight.events.sealing import new_key

SCHEMA = "keyring"

_metadata = sa.MetaData(schema=SCHEMA)

note_keys = sa.Table(
    "note_keys",
    _metadata,
    sa.Column("note_id", sa.Uuid, primary_key=True),
    #: NULL once shredded: the tombstone that keeps the note keyless for good.
    sa.Column("key", sa.LargeBinary, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
)


def ensure_keyring(conn: Connection) -> None:
    """Create the keyring's schema and table if missing (every service's ``migrate`` calls it)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('migrate:keyring'))"))
    conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    _metadata.create_all(conn, checkfirst=True)


async def keys_of(
    session: AsyncSession | AsyncConnection, note_ids: Collection[UUID], *, create: bool = False
) -> dict[UUID, bytes]:
    """The live keys of ``note_ids``; with ``create``, notes that never had one get one first.

    A shredded note has none, and ``create`` does not give it one back.
    """
    if not note_ids:
        return {}
    ids = sorted(set(note_ids))
    if create:
        rows = [{"note_id": n, "key": new_key()} for n in ids]
        await session.execute(insert(note_keys).values(rows).on_conflict_do_nothing(index_elements=["note_id"]))
    found = await session.execute(
        sa.select(note_keys.c.note_id, note_keys.c.key).where(
            note_keys.c.note_id.in_(ids), note_keys.c.key.is_not(None)
        )
    )
    return {row.note_id: bytes(row.key) for row in found}


async def shred(session: AsyncSession | AsyncConnection, note_ids: Collection[UUID]) -> int:
    """Destroy the keys of ``note_ids`` (leaving tombstones); returns how many keys there were.

    Call it in the erasing transaction: the words on the broker become unreadable with the commit.
    """
    if not note_ids:
        return 0
    ids = sorted(set(note_ids))
    result = await session.execute(
        sa.update(note_keys)
        .where(note_keys.c.note_id.in_(ids), note_keys.c.key.is_not(None))
        .values(key=None, shredded_at=sa.func.now())
    )
    tombstones = [{"note_id": n, "key": None, "shredded_at": sa.func.now()} for n in ids]
    await session.execute(insert(note_keys).values(tombstones).on_conflict_do_nothing(index_elements=["note_id"]))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
