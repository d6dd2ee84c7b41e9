"""``heat stack resource list|show|signal|metadata|mark unhealthy`` (also ``heat resource ...``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from calor.cli.commands import Command, key_values, located_errors, non_negative_int, not_found
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.results import Listing, Record, as_mapping, row_from


def _stack_resource_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument("resource", metavar="RESOURCE", help="name of the resource")


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument(
        "--long", "--with-detail", dest="long", action="store_true", help="more details about each resource"
    )
    parser.add_argument(
        "-n",
        "--nested-depth",
        metavar="DEPTH",
        type=non_negative_int,
        help="depth of nested stacks whose resources to list",
    )
    parser.add_argument(
        "--filter",
        metavar="KEY=VALUE",
        action="append",
        help="filter on name, status, type, action, id or physical_resource_id (repeatable)",
    )


def list_resources(options: argparse.Namespace, connection: Connection) -> Listing:
    arguments: dict[str, Any] = {"with_detail": options.long, "filters": key_values(options.filter, "filter")}
    if options.nested_depth:
        arguments["nested_depth"] = options.nested_depth
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        resources = [
            as_mapping(item) for item in connection.client.resources.list(options.stack, **arguments)
        ]
    columns = ["resource_name", "physical_resource_id", "resource_type", "resource_status", "updated_time"]
    if resources and "resource_name" not in resources[0]:
        columns[0] = "logical_resource_id"
    if options.nested_depth or options.long:
        columns.append("stack_name")
        for resource in resources:
            resource.setdefault("stack_name", _stack_name_of(resource))
    return Listing(columns, [row_from(resource, columns) for resource in resources])


def _stack_name_of(resource: dict[str, Any]) -> str:
    for link in resource.get("links") or ():
        if isinstance(link, dict) and link.get("rel") == "stack":
            return str(link.get("href", "")).split("/stacks/", 1)[-1].split("/")[0]
    return ""


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    _stack_resource_arguments(parser)
    parser.add_argument(
        "--with-attr", metavar="ATTRIBUTE", action="append", help="an attribute to show (repeatable)"
    )


def show(options: argparse.Namespace, connection: Connection) -> Record:
    message = f"Stack or resource not found: {options.stack} {options.resource}"
    with not_found(message), located_errors(None):
        resource = connection.client.resources.get(
            options.stack, options.resource, with_attr=options.with_attr
        )
    return Record.from_mapping(as_mapping(resource))


def metadata(options: argparse.Namespace, connection: Connection) -> Record:
    message = f"Stack {options.stack} or resource {options.resource} not found."
    with not_found(message), located_errors(None):
        data = connection.client.resources.metadata(stack_id=options.stack, resource_name=options.resource)
    return Record.from_mapping(data or {})


def _signal_arguments(parser: argparse.ArgumentParser) -> None:
    _stack_resource_arguments(parser)
    parser.add_argument("--data", metavar="JSON", help="JSON data to send to the signal handler")
    parser.add_argument("--data-file", metavar="FILE", help="file of JSON data to send to the signal handler")


def signal_data(data: str | None, data_file: str | None) -> dict[str, Any] | None:
    """The signal's JSON object from ``--data`` or ``--data-file`` (not both)."""
    if data and data_file:
        raise CommandError("Should only specify one of data or data-file", exit_status=2)
    if data_file:
        try:
            data = Path(data_file).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{data_file}: {error.strerror or error}") from None
    if not data:
        return None
    try:
        value = json.loads(data)
    except ValueError as error:
        raise CommandError(f"Data should be in JSON format: {error}") from None
    if not isinstance(value, dict):
        raise CommandError("Data should be a JSON dict")
    return value


def signal(options: argparse.Namespace, connection: Connection) -> None:
    fields: dict[str, Any] = {"stack_id": options.stack, "resource_name": options.resource}
    data = signal_data(options.data, options.data_file)
    if data is not None:
        fields["data"] = data
    with not_found(f"Stack {options.stack} or resource {options.resource} not found."), located_errors(None):
        connection.client.resources.signal(**fields)


def _mark_unhealthy_arguments(parser: argparse.ArgumentParser) -> None:
    _stack_resource_arguments(parser)
    parser.add_argument("reason", nargs="?", default="", help="why the resource is unhealthy")
    parser.add_argument("--reset", action="store_true", help="mark the resource healthy again")


def mark_unhealthy(options: argparse.Namespace, connection: Connection) -> None:
    message = f"Stack or resource not found: {options.stack} {options.resource}"
    with not_found(message), located_errors(None):
        connection.client.resources.mark_unhealthy(
            stack_id=options.stack,
            resource_name=options.resource,
            mark_unhealthy=not options.reset,
            resource_status_reason=options.reason,
        )


COMMANDS = (
    Command(
        ("stack", "resource", "list"),
        "List a stack's resources.",
        list_resources,
        _list_arguments,
        "list",
        aliases=(("resource", "list"),),
    ),
    Command(
        ("stack", "resource", "show"),
        "Show a resource.",
        show,
        _show_arguments,
        "record",
        aliases=(("resource", "show"),),
    ),
    Command(
        ("stack", "resource", "metadata"),
        "Show a resource's metadata.",
        metadata,
        _stack_resource_arguments,
        "record",
        default_format="json",
        aliases=(("resource", "metadata"),),
    ),
    Command(
        ("stack", "resource", "signal"),
        "Signal a resource, with optional data.",
        signal,
        _signal_arguments,
        aliases=(("resource", "signal"),),
    ),
    Command(
        ("stack", "resource", "mark", "unhealthy"),
        "Set a resource's health.",
        mark_unhealthy,
        _mark_unhealthy_arguments,
        aliases=(("resource", "mark", "unhealthy"),),
    ),
)
