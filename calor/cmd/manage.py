"""``heat-manage``: the operator's database tool.

``db sync [VERSION]``, ``db version``, ``purge_deleted [-g GRANULARITY] [-p PROJECT] AGE``,
``reset_stack_status STACK_ID``, ``service list``, ``service clean`` and ``update_params
--previous-encryption-key KEY`` (re-encrypt stored credentials with heat.conf's current
``auth_encryption_key``), as Heat's ``heat-manage`` spells them. The database is
``--database-url``, else the ``[database] connection`` of ``--config-file`` (``heat.conf``),
else ``$CALOR_DATABASE_URL``, else the embedded SQLite file.
"""

from __future__ import annotations

import argparse
import configparser
import datetime
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from calor.db.engine import current_revision, default_url, make_engine, state_directory, upgrade
from calor.db.repository import Repository
from calor.db.types import utc_now
from calor.errors import CalorError
from calor.security.encryption import HEAT_DEFAULT_KEY, SecretEncryption
from calor.security.options import KEY_FILE

GRANULARITIES = ("days", "hours", "minutes", "seconds")
# A service whose last heartbeat is older than this is shown as down.
SERVICE_DOWN_AFTER_SECONDS = 60.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heat-manage", description="Manage the Calor (Heat) database.")
    parser.add_argument("--database-url", help="SQLAlchemy URL of the database")
    parser.add_argument("--config-file", help="a heat.conf whose [database] connection names the database")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    database = commands.add_parser("db", help="schema migrations")
    database_commands = database.add_subparsers(dest="database_command", required=True, metavar="ACTION")
    sync = database_commands.add_parser("sync", help="upgrade the schema to the newest (or given) version")
    sync.add_argument("version", nargs="?", default="head")
    database_commands.add_parser("version", help="print the schema version")

    purge = commands.add_parser("purge_deleted", help="remove stacks deleted longer ago than AGE")
    purge.add_argument("age", nargs="?", type=int, default=90, help="how old (default 90)")
    purge.add_argument("-g", "--granularity", choices=GRANULARITIES, default="days")
    purge.add_argument("-p", "--project-id", help="only this project's stacks")

    reset = commands.add_parser("reset_stack_status", help="set a stuck IN_PROGRESS stack to FAILED")
    reset.add_argument("stack_id")

    update = commands.add_parser(
        "update_params", help="re-encrypt stored credentials with the current auth_encryption_key"
    )
    update.add_argument(
        "--previous-encryption-key",
        required=True,
        help="the auth_encryption_key the credentials were encrypted with",
    )

    service = commands.add_parser("service", help="engine services")
    service_commands = service.add_subparsers(dest="service_command", required=True, metavar="ACTION")
    service_commands.add_parser("list", help="list engines and whether they are up")
    service_commands.add_parser("clean", help="remove engines that are down")
    return parser


def _config(arguments: argparse.Namespace) -> configparser.ConfigParser | None:
    if not arguments.config_file:
        return None
    config = configparser.ConfigParser(interpolation=None)
    if not config.read(arguments.config_file):
        raise CalorError(f"cannot read configuration file {arguments.config_file}")
    return config


def database_url(arguments: argparse.Namespace) -> str:
    if arguments.database_url:
        return str(arguments.database_url)
    config = _config(arguments)
    if config is not None:
        connection = config.get("database", "connection", fallback="").strip()
        if connection:
            return connection
    return default_url()


def current_encryption_key(arguments: argparse.Namespace) -> str:
    """``[DEFAULT] auth_encryption_key`` of ``--config-file``; else the key heat-all generated in
    its state directory (``[DEFAULT] state_dir``, else the default one), if there is one; else
    Heat's default key (what heat-api and heat-engine use when heat.conf sets none)."""
    config = _config(arguments)
    configured = config.get("DEFAULT", "auth_encryption_key", fallback="").strip() if config else ""
    if configured:
        return configured
    state_dir = config.get("DEFAULT", "state_dir", fallback="").strip() if config else ""
    generated = (Path(state_dir).expanduser() if state_dir else state_directory()) / KEY_FILE
    if generated.is_file():
        return generated.read_text(encoding="utf-8").strip()
    return HEAT_DEFAULT_KEY


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run ``heat-manage`` with ``argv`` (``sys.argv[1:]`` when ``None``); returns the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    arguments = build_parser().parse_args(argv)
    try:
        return _run(arguments, database_url(arguments), out)
    except CalorError as error:
        print(f"heat-manage: {error}", file=err)
        return 1


def _run(arguments: argparse.Namespace, url: str, out: TextIO) -> int:
    engine = make_engine(url)
    try:
        if arguments.command == "db":
            if arguments.database_command == "sync":
                upgrade(engine, arguments.version)
                print(f"Database at version {current_revision(engine)}", file=out)
            else:
                print(current_revision(engine) or "None", file=out)
            return 0
        repository = Repository(engine)
        if arguments.command == "purge_deleted":
            if arguments.age < 0:
                raise CalorError("age must be a positive number")
            age = datetime.timedelta(**{arguments.granularity: arguments.age})
            result = repository.purge_deleted(age, project_id=arguments.project_id)
            print(
                f"Purged {result.stacks} stacks, {result.resources} resources, {result.events} events, "
                f"{result.raw_templates} raw templates and {result.jobs} jobs",
                file=out,
            )
        elif arguments.command == "update_params":
            previous = SecretEncryption(arguments.previous_encryption_key)
            current = SecretEncryption(current_encryption_key(arguments))
            count = repository.reencrypt_user_credentials(previous, current)
            print(f"Re-encrypted {count} stored credentials with the current auth_encryption_key", file=out)
        elif arguments.command == "reset_stack_status":
            stack = repository.reset_stack_status(arguments.stack_id)
            print(f"Stack {stack.name} ({stack.id}) is {stack.stack_status}", file=out)
        elif arguments.service_command == "list":
            _print_services(repository, out)
        else:
            now = utc_now()
            for service in repository.list_services():
                if not service.is_up(now, SERVICE_DOWN_AFTER_SECONDS):
                    repository.delete_service(service.engine_id)
                    print(f"Removed service {service.engine_id} ({service.hostname})", file=out)
        return 0
    finally:
        engine.dispose()


def _print_services(repository: Repository, out: TextIO) -> None:
    now = utc_now()
    header = ("Hostname", "Binary", "Engine_Id", "Host", "Topic", "Updated_At", "Status")
    rows = [header]
    for service in repository.list_services():
        rows.append(
            (
                service.hostname,
                service.binary,
                service.engine_id,
                service.hostname,
                service.topic,
                service.heartbeat_at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "up" if service.is_up(now, SERVICE_DOWN_AFTER_SECONDS) else "down",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for row in rows:
        print(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip(), file=out
        )


if __name__ == "__main__":
    sys.exit(main())
