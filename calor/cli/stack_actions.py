"""Stack actions and views beyond create/update/delete: cancel, check, suspend, resume, abandon, adopt,
export, ``stack failures list``, ``stack template show``, ``stack environment show``, ``stack file list``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from calor.cli.commands import Command, add_wait_arguments, key_values, located_errors, not_found
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.failures import find_failures
from calor.cli.progress import StackState, last_event_id, wait_for_stack
from calor.cli.results import Listing, Record, as_mapping, row_from
from calor.cli.stacks import LIST_COLUMNS, show_stack
from calor.cli.template_files import check_syntax, read_template_fields


def _stacks_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("stacks", metavar="STACK", nargs="+", help=f"name or ID of the stacks to {what}")
    add_wait_arguments(parser, what)


def _run_action(
    options: argparse.Namespace, connection: Connection, action: str, call: Callable[[Any, str], Any]
) -> Listing:
    client = connection.client
    rows = []
    for stack in options.stacks:
        marker = previous = None
        with not_found(f"Stack not found: {stack}"), located_errors(None):
            if options.wait:
                marker = last_event_id(client, stack)
                previous = StackState.of(client.stacks.get(stack, resolve_outputs=False))
            call(client, stack)
        if options.wait:
            wait_for_stack(
                client,
                stack,
                action,
                stream=sys.stderr,
                marker=marker,
                previous=previous,
                poll_seconds=options.poll,
            )
        with not_found(f"Stack not found: {stack}"):
            rows.append(row_from(client.stacks.get(stack, resolve_outputs=False), LIST_COLUMNS))
    return Listing(LIST_COLUMNS, rows)


def suspend(options: argparse.Namespace, connection: Connection) -> Listing:
    return _run_action(options, connection, "SUSPEND", lambda client, stack: client.actions.suspend(stack))


def resume(options: argparse.Namespace, connection: Connection) -> Listing:
    return _run_action(options, connection, "RESUME", lambda client, stack: client.actions.resume(stack))


def check(options: argparse.Namespace, connection: Connection) -> Listing:
    return _run_action(options, connection, "CHECK", lambda client, stack: client.actions.check(stack))


def _cancel_arguments(parser: argparse.ArgumentParser) -> None:
    _stacks_argument(parser, "cancel")
    parser.add_argument("--no-rollback", action="store_true", help="cancel without rolling back")


def cancel(options: argparse.Namespace, connection: Connection) -> Listing:
    allowed = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS") if options.no_rollback else ("UPDATE_IN_PROGRESS",)
    client = connection.client
    for stack in options.stacks:
        with not_found(f"Stack not found: {stack}"):
            status = str(as_mapping(client.stacks.get(stack, resolve_outputs=False)).get("stack_status"))
        if status not in allowed:
            raise CommandError(f"Stack {stack} with status '{status.lower()}' not in cancelable state")

    def call(client: Any, stack: str) -> Any:
        if options.no_rollback:
            return client.actions.cancel_without_rollback(stack)
        return client.actions.cancel_update(stack)

    action = "CREATE" if options.no_rollback else "ROLLBACK"
    return _run_action(options, connection, action, call)


# --- abandon, adopt, export ------------------------------------------------------------------------


def _output_file_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("stack", metavar="STACK", help=f"name or ID of the stack to {what}")
    parser.add_argument("--output-file", metavar="FILE", help="write the data to FILE")


def _write_or_show(data: dict[str, Any], output_file: str | None) -> Record | None:
    if output_file is None:
        return Record.from_mapping(data)
    try:
        Path(output_file).write_text(json.dumps(data, indent=2), encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{output_file}: {error.strerror or error}") from None
    return None


def abandon(options: argparse.Namespace, connection: Connection) -> Record | None:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        data = connection.client.stacks.abandon(stack_id=options.stack)
    return _write_or_show(data, options.output_file)


def export(options: argparse.Namespace, connection: Connection) -> Record | None:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        data = connection.client.stacks.export(stack_id=options.stack)
    return _write_or_show(data, options.output_file)


def _adopt_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="name of the stack to adopt")
    parser.add_argument("--adopt-file", metavar="FILE", required=True, help="the abandoned stack's data")
    parser.add_argument(
        "-e", "--environment", metavar="ENVIRONMENT", action="append", help="environment file"
    )
    parser.add_argument("--timeout", metavar="MINUTES", type=int, help="timeout in minutes")
    parser.add_argument("--enable-rollback", action="store_true", help="roll back on failure")
    parser.add_argument("--parameter", metavar="KEY=VALUE", action="append", help="a parameter value")
    add_wait_arguments(parser, "adopt")


def adopt(options: argparse.Namespace, connection: Connection) -> Record:
    client = connection.client
    text = check_syntax(options.adopt_file)
    adopt_data = yaml.safe_load(text) or {}
    if not isinstance(adopt_data, dict):
        raise CommandError(f"{options.adopt_file}: the adopt data must be a mapping")
    fields = read_template_fields(client, None, options.environment, existing=True)
    files = dict(adopt_data.get("files") or {})
    files.update(fields.files)
    request: dict[str, Any] = {
        "stack_name": options.name,
        "disable_rollback": not options.enable_rollback,
        "adopt_stack_data": text,
        "parameters": key_values(options.parameter, "parameter"),
        "files": files,
        "environment": fields.environment,
    }
    if options.timeout:
        request["timeout_mins"] = options.timeout
    with located_errors(None):
        created = client.stacks.create(**request)["stack"]
    identifier = f"{options.name}/{created['id']}"
    if options.wait:
        wait_for_stack(client, identifier, "ADOPT", stream=sys.stderr, poll_seconds=options.poll)
    return show_stack(client, identifier, short=True)


# --- failures, template, environment, files ---------------------------------------------------------


def _stack_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")


def _failures_arguments(parser: argparse.ArgumentParser) -> None:
    _stack_argument(parser)
    parser.add_argument("--long", action="store_true", help="show full status reasons")


def failures_list(options: argparse.Namespace, connection: Connection) -> None:
    client = connection.client
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        stack = as_mapping(client.stacks.get(options.stack, resolve_outputs=False))
    if not str(stack.get("stack_status", "")).endswith("FAILED"):
        return
    for failure in find_failures(client, f"{stack['stack_name']}/{stack['id']}"):
        reason = failure.reason
        if not options.long and len(reason) > 200:
            reason = "...\n" + reason[-200:]
        sys.stdout.write(f"{failure.path}:\n")
        sys.stdout.write(f"  resource_type: {failure.resource_type}\n")
        sys.stdout.write(f"  physical_resource_id: {failure.physical_resource_id}\n")
        sys.stdout.write(f"  status: {failure.status}\n")
        indented = "\n".join("    " + line for line in reason.splitlines() or [""])
        sys.stdout.write(f"  status_reason: |\n{indented}\n")


def template_show(options: argparse.Namespace, connection: Connection) -> Record:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        template = connection.client.stacks.template(stack_id=options.stack)
    return Record.from_mapping(template)


def environment_show(options: argparse.Namespace, connection: Connection) -> Record:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        environment = connection.client.stacks.environment(stack_id=options.stack)
    columns = [
        name for name in ("parameters", "resource_registry", "parameter_defaults") if name in environment
    ]
    return Record.from_mapping(environment, columns)


def file_list(options: argparse.Namespace, connection: Connection) -> Record:
    with not_found(f"Stack not found: {options.stack}"), located_errors(None):
        files = connection.client.stacks.files(stack_id=options.stack)
    return Record((("files", files),))


COMMANDS = (
    Command(
        ("stack", "suspend"), "Suspend stacks.", suspend, lambda p: _stacks_argument(p, "suspend"), "list"
    ),
    Command(("stack", "resume"), "Resume stacks.", resume, lambda p: _stacks_argument(p, "resume"), "list"),
    Command(("stack", "check"), "Check stacks.", check, lambda p: _stacks_argument(p, "check"), "list"),
    Command(("stack", "cancel"), "Cancel the current create or update.", cancel, _cancel_arguments, "list"),
    Command(
        ("stack", "abandon"),
        "Abandon a stack and print its data.",
        abandon,
        lambda p: _output_file_arguments(p, "abandon"),
        "record",
        default_format="json",
    ),
    Command(
        ("stack", "export"),
        "Export a stack's data.",
        export,
        lambda p: _output_file_arguments(p, "export"),
        "record",
        default_format="json",
    ),
    Command(("stack", "adopt"), "Adopt a stack.", adopt, _adopt_arguments, "record"),
    Command(
        ("stack", "failures", "list"),
        "Show the failed resources of a stack.",
        failures_list,
        _failures_arguments,
        aliases=(("failures", "list"),),
    ),
    Command(
        ("stack", "template", "show"),
        "Show a stack's template.",
        template_show,
        _stack_argument,
        "record",
        default_format="yaml",
    ),
    Command(
        ("stack", "environment", "show"),
        "Show a stack's environment.",
        environment_show,
        _stack_argument,
        "record",
        default_format="yaml",
    ),
    Command(
        ("stack", "file", "list"),
        "Show a stack's files map.",
        file_list,
        _stack_argument,
        "record",
        default_format="yaml",
    ),
)
