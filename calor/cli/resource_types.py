"""``heat orchestration resource type list|show`` (also ``heat resource type ...``)."""

from __future__ import annotations

import argparse

from calor.cli.commands import Command, key_values, located_errors, not_found
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.results import Listing, Record, as_mapping


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--filter",
        metavar="KEY=VALUE",
        action="append",
        help="filter on name, version or support_status (repeatable)",
    )
    parser.add_argument("--long", action="store_true", help="show each type's description")


def list_types(options: argparse.Namespace, connection: Connection) -> Listing:
    with located_errors(None):
        types = connection.client.resource_types.list(
            filters=key_values(options.filter, "filter"), with_description=options.long
        )
    entries = [as_mapping(item) for item in types]
    if options.long:
        rows = sorted([[entry.get("resource_type"), entry.get("description")] for entry in entries], key=str)
        return Listing(["Resource Type", "Description"], rows)
    return Listing(["Resource Type"], sorted([[entry.get("resource_type")] for entry in entries], key=str))


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("resource_type", metavar="TYPE", help="the resource type (OS::Heat::RandomString)")
    parser.add_argument("--template-type", metavar="hot|cfn", help="generate a template of this type")
    parser.add_argument("--long", action="store_true", help="include the description")


def show_type(options: argparse.Namespace, connection: Connection) -> Record:
    if options.template_type is not None and options.long:
        raise CommandError("Cannot use --template-type and --long in one time.", exit_status=2)
    client = connection.client
    with not_found(f"Resource type not found: {options.resource_type}"), located_errors(None):
        if options.template_type:
            template_type = options.template_type.lower()
            if template_type not in ("hot", "cfn"):
                raise CommandError(f"Template type invalid: {options.template_type}", exit_status=2)
            data = client.resource_types.generate_template(
                resource_type=options.resource_type, template_type=template_type
            )
        else:
            data = client.resource_types.get(options.resource_type, options.long)
    return Record.from_mapping(data)


COMMANDS = (
    Command(
        ("orchestration", "resource", "type", "list"),
        "List resource types.",
        list_types,
        _list_arguments,
        "list",
        aliases=(("resource", "type", "list"),),
    ),
    Command(
        ("orchestration", "resource", "type", "show"),
        "Show a resource type.",
        show_type,
        _show_arguments,
        "record",
        default_format="yaml",
        aliases=(("resource", "type", "show"),),
    ),
)
