"""``heat stack snapshot create|list|show|restore|delete`` (also ``heat snapshot ...``)."""

from __future__ import annotations

import argparse

from calor.cli.commands import Command, confirm, located_errors, not_found
from calor.cli.connection import Connection
from calor.cli.results import Listing, Record, row_from

LIST_COLUMNS = ("id", "name", "action", "status", "status_reason", "creation_time")


def _stack_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")


def _snapshot_arguments(parser: argparse.ArgumentParser) -> None:
    _stack_argument(parser)
    parser.add_argument("snapshot", metavar="SNAPSHOT", help="ID of the snapshot")


def _create_arguments(parser: argparse.ArgumentParser) -> None:
    _stack_argument(parser)
    parser.add_argument("--name", metavar="NAME", help="name of the snapshot")


def create(options: argparse.Namespace, connection: Connection) -> Record:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        data = connection.client.stacks.snapshot(options.stack, options.name)
    columns = ("id", "name", "action", "status", "status_reason", "data", "creation_time")
    return Record.from_mapping(data, columns)


def list_snapshots(options: argparse.Namespace, connection: Connection) -> Listing:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        snapshots = connection.client.stacks.snapshot_list(stack_id=options.stack)["snapshots"]
    return Listing(LIST_COLUMNS, [row_from(snapshot, LIST_COLUMNS) for snapshot in snapshots])


def show(options: argparse.Namespace, connection: Connection) -> Record:
    message = f"Snapshot ID <{options.snapshot}> not found for stack <{options.stack}>"
    with not_found(message), located_errors(None):
        data = connection.client.stacks.snapshot_show(options.stack, options.snapshot)
    return Record.from_mapping(data)


def restore(options: argparse.Namespace, connection: Connection) -> None:
    message = f"Stack {options.stack} or snapshot {options.snapshot} not found."
    with not_found(message), located_errors(None):
        connection.client.stacks.restore(stack_id=options.stack, snapshot_id=options.snapshot)


def _delete_arguments(parser: argparse.ArgumentParser) -> None:
    _snapshot_arguments(parser)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def delete(options: argparse.Namespace, connection: Connection) -> None:
    if not confirm("Are you sure you want to delete the snapshot of this stack", options.yes):
        return
    message = f"Snapshot ID <{options.snapshot}> not found for stack <{options.stack}>"
    with not_found(message), located_errors(None):
        connection.client.stacks.snapshot_delete(options.stack, options.snapshot)


COMMANDS = (
    Command(
        ("stack", "snapshot", "create"),
        "Create a stack snapshot.",
        create,
        _create_arguments,
        "record",
        aliases=(("snapshot", "create"),),
    ),
    Command(
        ("stack", "snapshot", "list"),
        "List a stack's snapshots.",
        list_snapshots,
        _stack_argument,
        "list",
        aliases=(("snapshot", "list"),),
    ),
    Command(
        ("stack", "snapshot", "show"),
        "Show a stack snapshot.",
        show,
        _snapshot_arguments,
        "record",
        default_format="yaml",
        aliases=(("snapshot", "show"),),
    ),
    Command(
        ("stack", "snapshot", "restore"),
        "Restore a stack snapshot.",
        restore,
        _snapshot_arguments,
        aliases=(("snapshot", "restore"),),
    ),
    Command(
        ("stack", "snapshot", "delete"),
        "Delete a stack snapshot.",
        delete,
        _delete_arguments,
        aliases=(("snapshot", "delete"),),
    ),
)
