"""``heat stack hook poll|clear`` (also ``heat hook ...``): resources paused at a pre-action hook."""

from __future__ import annotations

import argparse
from typing import Any

from calor.cli.commands import Command, located_errors, non_negative_int
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.results import Listing, as_mapping, row_from

HOOK_TYPES = ("pre-create", "pre-update", "pre-delete")


def _heat_errors(call: Any, *arguments: Any, **keywords: Any) -> Any:
    """Run a heatclient helper; its own CommandError becomes ours."""
    from heatclient import exc  # type: ignore[import-untyped]

    try:
        with located_errors(None):
            return call(*arguments, **keywords)
    except exc.CommandError as error:
        raise CommandError(" ".join(str(error).split())) from None


def _poll_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument(
        "--nested-depth", metavar="DEPTH", type=non_negative_int, help="depth of nested stacks to look into"
    )


def poll(options: argparse.Namespace, connection: Connection) -> Listing:
    from heatclient.common import event_utils, hook_utils  # type: ignore[import-untyped]

    client = connection.client
    columns = ["ID", "Resource Status Reason", "Resource Status", "Event Time"]
    nested_depth = options.nested_depth or 0
    if nested_depth:
        columns.append("Stack Name")
    hook_type = _heat_errors(hook_utils.get_hook_type_via_status, client, options.stack)
    events = _heat_errors(
        event_utils.get_hook_events,
        client,
        stack_id=options.stack,
        event_args={"sort_dir": "asc"},
        nested_depth=nested_depth,
        hook_type=hook_type,
    )
    rows = [as_mapping(event) for event in events]
    if rows:
        columns.insert(0, "Resource Name" if "resource_name" in rows[0] else "Logical Resource ID")
    return Listing(columns, [row_from(row, columns) for row in rows])


def _clear_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    group = parser.add_mutually_exclusive_group()
    for hook_type in HOOK_TYPES:
        group.add_argument(
            f"--{hook_type}",
            dest="hook_type",
            action="store_const",
            const=hook_type,
            help=f"clear the {hook_type} hooks",
        )
    parser.add_argument(
        "hooks",
        metavar="RESOURCE",
        nargs="+",
        help="resources whose hook to clear: nested/path/resource, wildcards allowed",
    )


def clear(options: argparse.Namespace, connection: Connection) -> None:
    from heatclient.common import hook_utils

    client = connection.client
    hook_type = options.hook_type or _heat_errors(hook_utils.get_hook_type_via_status, client, options.stack)
    for hook in options.hooks:
        parts = [part for part in hook.split("/") if part]
        if not parts:
            raise CommandError(f"Invalid hook path: {hook!r}", exit_status=2)
        _heat_errors(hook_utils.clear_wildcard_hooks, client, options.stack, parts[:-1], hook_type, parts[-1])


COMMANDS = (
    Command(
        ("stack", "hook", "poll"),
        "List resources paused at a hook.",
        poll,
        _poll_arguments,
        "list",
        aliases=(("hook", "poll"),),
    ),
    Command(
        ("stack", "hook", "clear"),
        "Clear resource hooks.",
        clear,
        _clear_arguments,
        aliases=(("hook", "clear"),),
    ),
)
