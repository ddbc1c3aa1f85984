"""The ``porchlight`` command.

Services add their command groups through ``ServiceSpec.commands`` (e.g. ``porchlight places``),
found through the entry points like the services themselves; a group's commands get their
service's spec as ``ctx.obj`` and set up a database with ``porchlight.kit.commands``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from porchlight.kit.logs import configure_logging, configure_terminal_logging
from porchlight.kit.service import discover_services, get_service
from porchlight.kit.settings import KitSettings, service_port

app = typer.Typer(help="Porchlight: community engagement as a system.", no_args_is_help=True)
events_app = typer.Typer(help="Look at the events flowing through the broker.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for department systems.", no_args_is_help=True)
app.add_typer(events_app, name="events")
app.add_typer(apikey_app, name="apikey")
audit_app = typer.Typer(help="The audit trail of who read or changed what.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _settings() -> KitSettings:
    from porchlight.kit.standalone import load_runtime_env

    return load_runtime_env(KitSettings())


def _ports(names: list[str], overrides: dict[str, int]) -> dict[str, int]:
    services = discover_services()
    return {name: overrides.get(name) or service_port(name, services[name].default_port) for name in names}


@app.command()
def run(
    broker_port: Annotated[int, typer.Option(help="Port of the embedded broker")] = 9092,
    only: Annotated[list[str] | None, typer.Option(help="Run only these services")] = None,
) -> None:
    """Standalone mode: embedded infrastructure, migrations, every service; Ctrl-C stops all."""
    from porchlight.kit.standalone import Infrastructure, prepare, serve_all, write_runtime

    base = KitSettings()
    log_file = None
    if base.mode == "standalone" and "log_format" not in base.model_fields_set:
        # A person at a terminal: warnings and errors in words, the rest in a file. JSON lines
        # on stderr stay for containers (distributed mode) and PORCHLIGHT_LOG_FORMAT=json.
        log_file = base.data_dir.absolute() / "porchlight.log"
        configure_terminal_logging(log_file, base.log_level, no_color=base.no_color)
    else:
        configure_logging(base.log_format, base.log_level)
    services = [s for name, s in discover_services().items() if not only or name in only]
    if not services:
        raise typer.BadParameter("no services installed")
    infra = Infrastructure(base, broker_port=broker_port)
    # SIGTERM stops everything as Ctrl-C does, also while starting (serve_all handles both itself
    # once the services run): without this, it would leave the broker and PostgreSQL running.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        settings = infra.start()
        asyncio.run(prepare(settings, services))
        ports = _ports([s.name for s in services], {})
        write_runtime(settings, ports)
        asyncio.run(serve_all(settings, services, ports, infra, log_file=log_file))
    except KeyboardInterrupt:
        pass  # stopped while starting: the finally below stops what had started
    finally:
        infra.stop()
        from porchlight.kit.standalone import runtime_file

        runtime_file(base).unlink(missing_ok=True)


@app.command()
def serve(
    service: str,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int | None, typer.Option()] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Upgrade the schema first")] = True,
) -> None:
    """One service, as a Kubernetes pod runs it (DATABASE_URL and KAFKA_BOOTSTRAP required)."""
    import uvicorn

    from porchlight.kit.app import create_app
    from porchlight.kit.standalone import prepare

    settings = _settings()
    configure_logging(settings.log_format, settings.log_level)
    spec = get_service(service)
    if migrate_first:
        asyncio.run(prepare(settings, [spec]))
    uvicorn.run(
        create_app(spec, settings, freeze_heap=True),
        host=host,
        port=port or spec.default_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


@app.command()
def migrate(services: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Upgrade the schemas of the named services (all when none is named)."""
    from porchlight.kit.standalone import Infrastructure, prepare

    settings = _settings()
    configure_logging("text", settings.log_level)
    specs = [s for n, s in discover_services().items() if not services or n in services]
    infra = Infrastructure(settings)
    try:
        asyncio.run(prepare(infra.start(), specs))
    finally:
        infra.stop()
    typer.echo(f"migrated: {', '.join(s.name for s in specs)}")


@contextlib.contextmanager
def _database(settings: KitSettings) -> Iterator[KitSettings]:
    """The configured database (DATABASE_URL, a running `porchlight run`), else the data dir's
    embedded PostgreSQL, started for the command and stopped after (no broker: none is needed)."""
    if settings.database_url:
        yield settings
        return
    from porchlight.kit.embedded import EmbeddedPostgres

    pg = EmbeddedPostgres(settings.data_dir / "pg")
    try:
        yield settings.model_copy(update={"database_url": pg.start()})
    finally:
        pg.stop()


@app.command()
def backup(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The file to write")] = None,
) -> None:
    """Back up every service's schema, the keyring, the signing key and the API keys into one file (0600)."""
    from porchlight.kit.backup import BackupError, create_backup

    settings = _settings()
    out = output or Path(f"porchlight-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.backup")
    try:
        with _database(settings) as s:
            manifest = create_backup(s, list(discover_services().values()), out)
    except BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    size = sum(m["bytes"] for m in manifest["members"].values())
    typer.echo(f"backed up {', '.join(manifest['schemas'])} and {len(manifest['members']) - 1} key file(s)")
    typer.echo(f"to {out} ({size / 1e6:.1f} MB, mode 0600: it holds residents' words and the keys to them)")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file `porchlight backup` wrote")],
    force: Annotated[bool, typer.Option(help="Replace the schemas and key files that exist")] = False,
) -> None:
    """Restore a backup into an empty database (and the data dir's key files); start the platform after."""
    from porchlight.kit.backup import BackupError, restore_backup

    settings = _settings()
    try:
        with _database(settings) as s:
            done = restore_backup(s, file, force=force)
    except BackupError as exc:
        typer.echo(f"restore refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    m = done.manifest
    if done.replaced:
        typer.echo(f"dropped the existing schemas {', '.join(done.replaced)} (--force)")
    files = ", ".join(done.files) or "none"
    typer.echo(f"restored {', '.join(m['schemas'])} as of {m['created_at']}; key files: {files}")
    # docs/operations.md, "Backups"; the privacy policy, "Retention and erasure".
    typer.echo(
        f"WARNING: words erased after {m['created_at']} are back, with the note keys that open their sealed "
        "copies: intake.erasures now lists only the erasures made before the backup. Erase again what was "
        "erased since (from the records of those requests), and run `porchlight retention run` for what "
        "is past its retention period now.",
        err=True,
    )


@audit_app.command("verify")
def audit_verify(service: Annotated[str, typer.Option(help="The service whose trail to check")]) -> None:
    """Walk a service's audit chain; exit 1 at the first entry changed, removed or out of place.

    The check is itself recorded in the trail (actor ``cli:<user>``).
    """
    import getpass
    import json

    from porchlight.kit.audittrail import verify_service

    spec = get_service(service)
    if spec.audit is None:
        raise typer.BadParameter(f"{service} keeps no audit trail")
    v = asyncio.run(
        verify_service(
            _settings().require_database_url(),
            spec.schema,
            actor=f"cli:{getpass.getuser()}",
            command=f"porchlight audit verify --service {service}",
        )
    )
    state = {"service": service, "intact": v.intact, "entries": v.entries, "head_seq": v.head_seq}
    state |= {"head_hash": v.head_hash, "broken_seq": v.broken_seq, "reason": v.reason}
    typer.echo(json.dumps(state))
    if not v.intact:
        raise typer.Exit(1)


@app.command()
def token(
    role: Annotated[list[str], typer.Option(help="officer, liaison, supervisor, analyst, partner, admin")],
    subject: Annotated[str, typer.Option(help="Who the token is for")] = "demo-user",
    district: Annotated[str | None, typer.Option()] = None,
    department: Annotated[str | None, typer.Option()] = None,
    hours: Annotated[int, typer.Option()] = 12,
) -> None:
    """Mint a standalone-mode bearer token signed with the local key."""
    from porchlight.kit.auth import mint_token

    settings = _settings()
    if hours * 3600 > settings.token_max_lifetime_s:
        # The services would refuse it (PORCHLIGHT_TOKEN_MAX_LIFETIME_S): say so now.
        raise typer.BadParameter(f"at most {settings.token_max_lifetime_s // 3600} hours", param_hint="--hours")
    try:
        typer.echo(
            mint_token(
                settings, subject=subject, roles=role, district=district, department=department, ttl_s=hours * 3600
            )
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--role") from exc


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="The system the key is for, e.g. 'Public Works GIS'")],
    role: Annotated[str, typer.Option()] = "partner",
    department: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create an API key: prints the key once; only its SHA-256 is stored (file mode 0600)."""
    from porchlight.kit.auth import (
        Role,
        api_keys_file,
        hash_api_key,
        new_api_key,
        read_api_key_entries,
        write_private_json,
    )

    try:
        Role(role)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--role") from exc
    path = api_keys_file(_settings())
    key = new_api_key()
    entries = read_api_key_entries(path)
    entries.append(
        {
            "name": name,
            "role": role,
            "department": department,
            "sha256": hash_api_key(key),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    write_private_json(path, entries)
    typer.echo(key)


@apikey_app.command("list")
def apikey_list() -> None:
    """The API keys: id (the start of its hash), system, role, department, created, last used, revoked."""
    from porchlight.kit.auth import ApiKeyUse, api_keys_file, read_api_key_entries

    settings = _settings()
    used = ApiKeyUse.read(settings.data_dir / "api-keys-used.json")
    for e in read_api_key_entries(api_keys_file(settings)):
        status = f"revoked {e['revoked_at']}" if e.get("revoked_at") else "active"
        typer.echo(
            "\t".join(
                [
                    e["sha256"][:12],
                    e["name"],
                    e["role"],
                    e.get("department") or "-",
                    e.get("created_at") or "-",
                    "last used " + used.get(e["sha256"], "never"),
                    status,
                ]
            )
        )


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (`porchlight apikey list`, 8+ characters) or its name")],
) -> None:
    """Revoke an API key: it is refused from then on (each service reads the file again when it changes)."""
    from porchlight.kit.auth import api_keys_file, read_api_key_entries, write_private_json

    path = api_keys_file(_settings())
    entries = read_api_key_entries(path)
    active = [e for e in entries if not e.get("revoked_at")]
    by_id = [e for e in active if len(key_id) >= 8 and e["sha256"].startswith(key_id)]
    matches = by_id or [e for e in active if e["name"] == key_id]
    if len(matches) != 1:
        found = "no active key" if not matches else f"{len(matches)} active keys"
        typer.echo(f"{found} matches {key_id!r}: give the id from `porchlight apikey list`", err=True)
        raise typer.Exit(1)
    matches[0]["revoked_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_private_json(path, entries)
    typer.echo(f"revoked {matches[0]['name']} ({matches[0]['sha256'][:12]})")


@events_app.command("tail")
def events_tail(
    event_type: Annotated[str | None, typer.Option("--type", help="Only this CloudEvents type (prefix)")] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after this many events")] = None,
    timeout: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
) -> None:
    """Print events as they pass, one JSON line each (from the start of what the broker holds)."""
    from porchlight.kit.tail import tail

    settings = _settings()
    bootstrap = settings.require_kafka_bootstrap()
    asyncio.run(tail(bootstrap, event_type, limit, timeout, sys.stdout, client_options=settings.kafka_client_options()))


def _add_service_clis() -> None:
    try:
        services = discover_services()
    except Exception:  # a broken service must not take the whole CLI down
        return
    for spec in services.values():
        for group_name, typer_app in spec.commands.items():
            # The group's commands find their service as ``ctx.obj`` (kit.commands.service_of).
            app.add_typer(typer_app, name=group_name, context_settings={"obj": spec})


def main() -> None:
    _add_service_clis()
    app()
