"""``porchlight backup`` / ``porchlight restore`` (issue 16): a note and a contact filed, backed up,
restored into a fresh database and data directory, and read back through intake with the old
signing key's token and the old API key.

The fresh database is a second database on the session's PostgreSQL, dropped after.
"""

from __future__ import annotations

import io
import json
import stat
import tarfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from support import bearer, running, scalar
from typer.testing import CliRunner

from porchlight.kit.cli import app
from porchlight.kit.db import create_engine
from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings

runner = CliRunner()


def porchlight(settings: KitSettings, *args: str) -> tuple[int, str, str]:
    """The ``porchlight`` command with the database and data directory of ``settings``."""
    env = {"DATABASE_URL": str(settings.database_url), "PORCHLIGHT_DATA_DIR": str(settings.data_dir)}
    result = runner.invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
async def empty_database(settings: KitSettings) -> AsyncIterator[str]:
    name = f"restore_{uuid.uuid4().hex[:8]}"
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(settings.require_database_url()).set(database=name).render_as_string(hide_password=False)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def test_a_restore_into_a_fresh_database_gives_back_notes_contacts_and_keys(
    settings: KitSettings, empty_database: str, tmp_path: Path
) -> None:
    source = settings.model_copy(update={"data_dir": tmp_path / "source"})
    host, officer = f"liaison-{uuid.uuid4().hex[:10]}", f"officer-{uuid.uuid4().hex[:10]}"
    note = {
        "place": {"district": "D4", "neighborhood": "south-end"},
        "concerns": [{"text": "streetlights out on Tremont St", "topic": "street lighting"}],
        "sentiment": 2,
        "attendees": 7,
        "notes": "Good turnout; coffee at the library.",
    }
    contact = {"contact_type": "conversation", "minutes": 15, "residents_reached": 3, "place": {"district": "C6"}}
    as_host = bearer(source, "liaison", subject=host)  # signed with the source's new key
    as_officer = bearer(source, "officer", subject=officer)
    async with running("intake", source, background=False) as (_, client):
        filed = await client.post("/v1/notes", json=note, headers=as_host)
        logged = await client.post("/v1/contacts", json=contact, headers=as_officer)
    assert filed.status_code == 201 and logged.status_code == 201, (filed.text, logged.text)
    note_id, contact_id = filed.json()["id"], logged.json()["id"]
    key = await scalar(source, "SELECT key FROM keyring.note_keys WHERE note_id = :n", n=note_id)
    assert isinstance(key, bytes) and len(key) == 32
    code, api_key, _ = porchlight(source, "apikey", "create", "--name", "Public Works GIS", "--role", "admin")
    assert code == 0
    api_key = api_key.strip()

    out = tmp_path / "city.backup"
    code, said, err = porchlight(source, "backup", "--output", str(out))
    assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with tarfile.open(out) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert all(stat.S_IMODE(m.mode) == 0o600 for m in tar.getmembers())
    services = discover_services().values()
    assert manifest["schemas"] == sorted({s.schema for s in services} | {"keyring"})
    assert set(manifest["members"]) == {"database.dump", "files/signing-key.pem", "files/api-keys.json"}
    assert manifest["migrations"]["intake"] and manifest["versions"]["porchlight-kit"]
    # Every schema that holds a table is in the backup: a new one must not be left out silently.
    tabled = await scalar(
        source,
        "SELECT array_agg(DISTINCT table_schema::text) FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    assert set(tabled) <= set(manifest["schemas"])  # type: ignore[arg-type]

    target = settings.model_copy(update={"database_url": empty_database, "data_dir": tmp_path / "target"})
    code, said, err = porchlight(target, "restore", str(out))
    assert code == 0, err
    assert "restored" in said and "intake.erasures" in err and "porchlight retention run" in err
    assert stat.S_IMODE((tmp_path / "target" / "signing-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "target" / "api-keys.json").stat().st_mode) == 0o600

    restored_key = await scalar(target, "SELECT key FROM keyring.note_keys WHERE note_id = :n", n=note_id)
    assert restored_key == key
    async with running("intake", target, background=False) as (_, client):
        # Tokens signed before the backup still verify: the signing key came back with the data.
        got_note = await client.get(f"/v1/notes/{note_id}", headers=as_host)
        got_contact = await client.get(f"/v1/contacts/{contact_id}", headers=as_officer)
        by_api_key = await client.get(f"/v1/contacts/{contact_id}", headers={"X-API-Key": api_key})
        by_unknown_key = await client.get(f"/v1/contacts/{contact_id}", headers={"X-API-Key": "pl_" + "0" * 40})
    assert got_note.status_code == 200, got_note.text
    assert got_note.json()["concerns"][0]["text"] == "streetlights out on Tremont St"
    assert got_note.json()["notes"] == "Good turnout; coffee at the library."
    assert got_contact.status_code == 200 and got_contact.json()["minutes"] == 15
    assert by_api_key.status_code != 401 and by_unknown_key.status_code == 401

    # A database that holds the schemas is refused, unless --force replaces them.
    code, _, err = porchlight(target, "restore", str(out))
    assert code == 1 and "not empty" in err and "intake" in err
    await scalar(target, "SELECT 1")  # still there
    code, said, err = porchlight(target, "restore", str(out), "--force")
    assert code == 0, err
    assert "dropped the existing schemas" in said
    assert await scalar(target, "SELECT count(*) FROM intake.notes WHERE id = :n", n=note_id) == 1


def test_a_damaged_or_foreign_file_is_refused_before_anything_is_touched(settings: KitSettings, tmp_path: Path) -> None:
    backup = tmp_path / "b.backup"
    code, _, err = porchlight(settings.model_copy(update={"data_dir": tmp_path / "src"}), "backup", "-o", str(backup))
    assert code == 0, err
    damaged = tmp_path / "damaged.backup"
    with tarfile.open(backup) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "database.dump":
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    # A database that does not exist: had the restore gone past the checks, it would fail there.
    nowhere = make_url(settings.require_database_url()).set(database="nowhere").render_as_string(hide_password=False)
    target = settings.model_copy(update={"data_dir": tmp_path / "dst", "database_url": nowhere})
    code, _, err = porchlight(target, "restore", str(damaged), "--force")
    assert code == 1 and "database.dump" in err and "checksum" in err
    foreign = tmp_path / "foreign.backup"
    foreign.write_bytes(b"not a tar at all")
    code, _, err = porchlight(target, "restore", str(foreign))
    assert code == 1 and "not a readable backup" in err
    assert not (tmp_path / "dst" / "signing-key.pem").exists()
