"""``heat stack output list|show`` (also ``heat output ...``)."""

from __future__ import annotations

import argparse
from typing import Any

from calor.cli.commands import Command, is_http_error, located_errors, not_found
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.results import Listing, Record, as_mapping, row_from


def _stack_outputs(client: Any, stack: str) -> list[dict[str, Any]]:
    with not_found(f"Stack not found: {stack}"), located_errors(None):
        outputs = as_mapping(client.stacks.get(stack)).get("outputs") or []
    return [dict(output) for output in outputs]


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")


def list_outputs(options: argparse.Namespace, connection: Connection) -> Listing:
    client = connection.client
    try:
        outputs = client.stacks.output_list(options.stack)["outputs"]
    except Exception as error:
        if not is_http_error(error, 404):
            raise
        outputs = _stack_outputs(client, options.stack)
    columns = ["output_key", "description"]
    return Listing(columns, [row_from(output, columns) for output in outputs])


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument("output", metavar="OUTPUT", nargs="?", help="name of the output")
    parser.add_argument("--all", action="store_true", help="show all the outputs")


def show(options: argparse.Namespace, connection: Connection) -> Record:
    if not options.all and options.output is None:
        raise CommandError("Either <OUTPUT NAME> or --all must be specified.", exit_status=2)
    if options.all and options.output is not None:
        raise CommandError("Cannot specify both <OUTPUT NAME> and --all.", exit_status=2)
    client = connection.client
    if options.all:
        return Record(
            tuple((output["output_key"], output) for output in _stack_outputs(client, options.stack))
        )
    missing = f"Stack {options.stack} or output {options.output} not found."
    try:
        output = dict(client.stacks.output_show(options.stack, options.output)["output"])
    except Exception as error:
        if not is_http_error(error, 404):
            raise
        found = [
            item for item in _stack_outputs(client, options.stack) if item.get("output_key") == options.output
        ]
        if not found:
            raise CommandError(missing) from None
        output = found[0]
    if output.get("output_error"):
        raise CommandError(f"Output error: {output['output_error']}")
    return Record.from_mapping(output)


COMMANDS = (
    Command(
        ("stack", "output", "list"),
        "List a stack's outputs.",
        list_outputs,
        _list_arguments,
        "list",
        aliases=(("output", "list"),),
    ),
    Command(
        ("stack", "output", "show"),
        "Show a stack output.",
        show,
        _show_arguments,
        "record",
        aliases=(("output", "show"),),
    ),
)
