"""``heat stack event list|show`` (also ``heat event ...``); ``--follow`` prints events as they come."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from calor.cli.commands import Command, key_values, located_errors, non_negative_int, not_found
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.formatting import LIST_FORMATS
from calor.cli.progress import log_line
from calor.cli.results import Listing, Record, as_mapping, row_from


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument("--resource", metavar="RESOURCE", help="only this resource's events")
    parser.add_argument(
        "--filter", metavar="KEY=VALUE", action="append", help="filter the events (repeatable)"
    )
    parser.add_argument("--limit", metavar="N", type=non_negative_int, help="at most N events")
    parser.add_argument("--marker", metavar="ID", help="only events after this event ID")
    parser.add_argument(
        "--nested-depth",
        metavar="DEPTH",
        type=non_negative_int,
        help="depth of nested stacks to show events of",
    )
    parser.add_argument(
        "--sort",
        metavar="KEY[:DIRECTION]",
        action="append",
        help="sort by a key (event_time, resource_name, resource_status, ...) and asc/desc; ':desc' alone "
        "sorts by time, newest first (repeatable)",
    )
    parser.add_argument("--follow", action="store_true", help="keep printing new events until interrupted")
    parser.add_argument(
        "--poll", metavar="SECONDS", type=float, default=2.0, help="seconds between polls with --follow"
    )


def event_line(event: dict[str, Any], nested: bool) -> str:
    """An event in the log format; with nested stacks the resource is named ``stack.resource``."""
    name = str(event.get("resource_name") or event.get("logical_resource_id") or "")
    owner = event.get("stack_name")
    if nested and owner and owner != name:
        name = f"{owner}.{name}"
    return log_line(event, name)


def _sorting(sorts: list[str] | None) -> tuple[dict[str, Any], list[tuple[str, bool]]]:
    arguments: dict[str, Any] = {"sort_dir": "asc"}
    keys: list[tuple[str, bool]] = []
    for sort in sorts or ():
        key, _, direction = sort.partition(":")
        direction = direction or "asc"
        if direction not in ("asc", "desc"):
            raise CommandError(f"Unknown sort direction: {direction}", exit_status=2)
        keys.append((key or "event_time", direction == "desc"))
    if keys:
        arguments["sort_keys"] = [key for key, _ in keys]
        arguments["sort_dir"] = "desc" if keys[0][1] else "asc"
    return arguments, keys


def _fetch(
    client: Any, options: argparse.Namespace, arguments: dict[str, Any], marker: str | None
) -> list[Any]:
    from heatclient.common import event_utils  # type: ignore[import-untyped]

    if options.resource:
        fields = dict(arguments, resource_name=options.resource)
        if marker:
            fields["marker"] = marker
        if options.limit:
            fields["limit"] = options.limit
        return list(client.events.list(options.stack, **fields))
    events: list[Any] = event_utils.get_events(
        client,
        stack_id=options.stack,
        event_args=arguments,
        nested_depth=options.nested_depth or 0,
        marker=marker,
        limit=options.limit,
    )
    return events


def list_events(
    options: argparse.Namespace, connection: Connection, *, sleep: Callable[[float], None] = time.sleep
) -> Listing | None:
    from heatclient import exc  # type: ignore[import-untyped]

    if options.resource and options.nested_depth:
        raise CommandError("--nested-depth cannot be specified with --resource", exit_status=2)
    arguments, keys = _sorting(options.sort)
    arguments["filters"] = key_values(options.filter, "filter")
    client = connection.client
    if options.follow:
        if options.format != "log":
            raise CommandError("--follow can only be specified with --format log", exit_status=2)
        marker = options.marker
        seen: set[str] = set()
        try:
            while True:
                try:
                    events = [as_mapping(event) for event in _fetch(client, options, arguments, marker)]
                except (exc.HTTPException, exc.CommandError) as error:
                    raise CommandError(str(getattr(error, "message", None) or error)) from None
                for event in events:
                    if str(event.get("id")) in seen:
                        continue
                    seen.add(str(event.get("id")))
                    marker = str(event.get("id")) or marker
                    sys.stdout.write(event_line(event, bool(options.nested_depth)) + "\n")
                sys.stdout.flush()
                sleep(options.poll)
        except KeyboardInterrupt:
            return None
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        try:
            events = [as_mapping(event) for event in _fetch(client, options, arguments, options.marker)]
        except exc.CommandError as error:
            raise CommandError(" ".join(str(error).split())) from None
    for key, descending in reversed(keys):
        events.sort(key=lambda event: str(event.get(key) or ""), reverse=descending)
    nested = bool(options.nested_depth)
    if options.format == "log":
        for event in events:
            sys.stdout.write(event_line(event, nested) + "\n")
        return None
    columns = ["id", "resource_status", "resource_status_reason", "event_time", "physical_resource_id"]
    if nested:
        columns.append("stack_name")
    if events:
        if "resource_name" in events[0]:
            columns.insert(0, "resource_name")
            columns.append("logical_resource_id")
        else:
            columns.insert(0, "logical_resource_id")
    return Listing(columns, [row_from(event, columns) for event in events])


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument("resource", metavar="RESOURCE", help="name of the resource the event belongs to")
    parser.add_argument("event", metavar="EVENT", help="ID of the event")


def show(options: argparse.Namespace, connection: Connection) -> Record:
    from heatclient import exc

    client = connection.client
    try:
        event = client.events.get(
            stack_id=options.stack, resource_name=options.resource, event_id=options.event
        )
    except exc.HTTPNotFound as error:
        from calor.cli.commands import api_message

        raise CommandError(api_message(error)) from None
    return Record.from_mapping(as_mapping(event))


COMMANDS = (
    Command(
        ("stack", "event", "list"),
        "List a stack's events.",
        list_events,
        _list_arguments,
        "list",
        default_format="log",
        aliases=(("event", "list"),),
        formats=(*LIST_FORMATS, "log"),
    ),
    Command(
        ("stack", "event", "show"),
        "Show an event.",
        show,
        _show_arguments,
        "record",
        aliases=(("event", "show"),),
    ),
)
