"""``heat stack create|update|list|show|delete``, flagged like ``openstack stack ...``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from calor.cli.commands import (
    Command,
    add_wait_arguments,
    api_message,
    confirm,
    key_values,
    located_errors,
    not_found,
)
from calor.cli.connection import Connection
from calor.cli.errors import CommandError
from calor.cli.progress import StackState, last_event_id, wait_for_stack
from calor.cli.results import Listing, Record, as_mapping, row_from
from calor.cli.template_files import read_template_fields

SHOW_COLUMNS = (
    "id",
    "stack_name",
    "description",
    "creation_time",
    "updated_time",
    "stack_status",
    "stack_status_reason",
)
LIST_COLUMNS = ("ID", "Stack Name", "Stack Status", "Creation Time", "Updated Time")


def show_stack(client: Any, stack: str, *, short: bool = False, resolve_outputs: bool = True) -> Record:
    """The ``stack show`` record; ``short`` is what create and update print."""
    with not_found(f"Stack not found: {stack}"), located_errors(None):
        data = as_mapping(client.stacks.get(stack_id=stack, resolve_outputs=resolve_outputs and not short))
    columns = list(SHOW_COLUMNS)
    if not short:
        columns.append("parameters")
        if resolve_outputs:
            columns.append("outputs")
        columns.append("links")
        columns.extend(key for key in data if key not in columns and key != "template_description")
    return Record.from_mapping(data, columns)


def _template_arguments(parser: argparse.ArgumentParser, *, template_required: bool) -> None:
    parser.add_argument(
        "-t", "--template", metavar="TEMPLATE", required=template_required, help="path or URL of the template"
    )
    parser.add_argument(
        "-e",
        "--environment",
        metavar="ENVIRONMENT",
        action="append",
        help="path of an environment file (repeatable; later files override earlier ones)",
    )
    parser.add_argument(
        "--parameter",
        metavar="KEY=VALUE",
        action="append",
        help="a parameter value (repeatable; a single one may hold several separated by ';')",
    )
    parser.add_argument(
        "--parameter-file",
        metavar="KEY=FILE",
        action="append",
        help="a parameter whose value is the content of FILE (repeatable)",
    )
    parser.add_argument("--timeout", metavar="MINUTES", type=int, help="stack operation timeout in minutes")
    parser.add_argument("--tags", metavar="TAG1,TAG2", help="tags to associate with the stack")
    parser.add_argument(
        "--dry-run", action="store_true", help="do nothing; show what would be done (a preview)"
    )


def _parameters(options: argparse.Namespace) -> dict[str, Any]:
    from heatclient.common import utils  # type: ignore[import-untyped]

    parameters: dict[str, Any] = utils.format_all_parameters(
        options.parameter, options.parameter_file, options.template
    )
    return parameters


# --- create -----------------------------------------------------------------------------------------


def _create_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="name of the stack to create")
    _template_arguments(parser, template_required=True)
    parser.add_argument("--enable-rollback", action="store_true", help="roll back on create failure")
    parser.add_argument(
        "--pre-create",
        metavar="RESOURCE",
        action="append",
        help="set a pre-create hook on a resource (nested/path/resource, wildcards allowed; repeatable)",
    )
    add_wait_arguments(parser, "create")


def create(options: argparse.Namespace, connection: Connection) -> Record:
    client = connection.client
    fields = read_template_fields(client, options.template, options.environment)
    request = fields.request_fields()
    if options.pre_create:
        _add_hooks(request["environment"], options.pre_create, "pre-create")
    request.update(
        stack_name=options.name,
        disable_rollback=not options.enable_rollback,
        parameters=_parameters(options),
    )
    if options.tags:
        request["tags"] = options.tags
    if options.timeout:
        request["timeout_mins"] = options.timeout
    with located_errors(fields.local):
        if options.dry_run:
            preview = as_mapping(client.stacks.preview(**request))
            return Record.from_mapping(preview, sorted(preview))
        created = client.stacks.create(**request)["stack"]
    identifier = f"{options.name}/{created['id']}"
    if options.wait:
        wait_for_stack(client, identifier, "CREATE", stream=sys.stderr, poll_seconds=options.poll)
    return show_stack(client, identifier, short=True)


def _add_hooks(environment: dict[str, Any], resources: list[str], hook: str) -> None:
    from heatclient.common import template_utils  # type: ignore[import-untyped]

    template_utils.hooks_to_env(environment, resources, hook)


# --- update -----------------------------------------------------------------------------------------


def _update_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack to update")
    _template_arguments(parser, template_required=False)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="patch the current stack: keep its template, environment and parameters unless given",
    )
    parser.add_argument(
        "--rollback",
        choices=("enabled", "disabled", "keep"),
        default="keep",
        help="roll back on update failure (keep: the stack's current setting)",
    )
    parser.add_argument(
        "--clear-parameter",
        metavar="PARAMETER",
        action="append",
        help="drop a parameter's current value so its default applies (repeatable)",
    )
    parser.add_argument("--show-nested", action="store_true", help="show nested stacks with --dry-run")
    parser.add_argument(
        "--pre-update", metavar="RESOURCE", action="append", help="set a pre-update hook on a resource"
    )
    parser.add_argument("--converge", action="store_true", help="update observing the real resources")
    add_wait_arguments(parser, "update")


def update(options: argparse.Namespace, connection: Connection) -> Record:
    client = connection.client
    if not options.template and not options.existing:
        raise CommandError("Need a template (-t) or --existing to update a stack", exit_status=2)
    fields = read_template_fields(client, options.template, options.environment, existing=options.existing)
    request = fields.request_fields()
    if options.pre_update:
        _add_hooks(request["environment"], options.pre_update, "pre-update")
    request.update(stack_id=options.stack, parameters=_parameters(options), existing=options.existing)
    if options.tags:
        request["tags"] = options.tags
    if options.timeout:
        request["timeout_mins"] = options.timeout
    if options.clear_parameter:
        request["clear_parameters"] = list(options.clear_parameter)
    if options.rollback != "keep":
        request["disable_rollback"] = options.rollback == "disabled"
    if options.converge:
        request["converge"] = True
    with not_found(f"Stack not found: {options.stack}"), located_errors(fields.local):
        if options.dry_run:
            if options.show_nested:
                request["show_nested"] = True
            changes = client.stacks.preview_update(**request).get("resource_changes", {})
            return Record.from_mapping(changes, sorted(changes))
        marker = previous = None
        if options.wait:
            marker = last_event_id(client, options.stack)
            previous = StackState.of(client.stacks.get(options.stack, resolve_outputs=False))
        client.stacks.update(**request)
    if options.wait:
        wait_for_stack(
            client,
            options.stack,
            "UPDATE",
            stream=sys.stderr,
            marker=marker,
            previous=previous,
            poll_seconds=options.poll,
        )
    return show_stack(client, options.stack, short=True)


# --- show and list ----------------------------------------------------------------------------------


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="name or ID of the stack")
    parser.add_argument("--no-resolve-outputs", action="store_true", help="do not resolve the outputs")


def show(options: argparse.Namespace, connection: Connection) -> Record:
    return show_stack(connection.client, options.stack, resolve_outputs=not options.no_resolve_outputs)


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deleted", action="store_true", help="include soft-deleted stacks")
    parser.add_argument("--nested", action="store_true", help="include nested stacks")
    parser.add_argument("--hidden", action="store_true", help="include hidden stacks")
    parser.add_argument(
        "--property",
        dest="properties",
        metavar="KEY=VALUE",
        action="append",
        help="filter on a stack property (repeatable)",
    )
    parser.add_argument("--tags", metavar="TAG1,TAG2", help="tags to filter by")
    parser.add_argument(
        "--tag-mode",
        choices=("any", "not", "not-any"),
        help="how --tags combine (default: all of them must match)",
    )
    parser.add_argument("--limit", metavar="N", type=int, help="return at most N stacks")
    parser.add_argument("--marker", metavar="ID", help="only stacks after this ID")
    parser.add_argument(
        "--sort",
        metavar="KEY[:DIRECTION]",
        help="sort by keys and directions, comma-separated (stack_name:desc,creation_time)",
    )
    parser.add_argument("--all-projects", action="store_true", help="stacks of all projects (admin only)")
    parser.add_argument("--short", action="store_true", help="fewer columns")
    parser.add_argument("--long", action="store_true", help="more columns (implies --all-projects)")


def list_stacks(options: argparse.Namespace, connection: Connection) -> Listing:
    columns = list(LIST_COLUMNS)
    arguments: dict[str, Any] = {
        "filters": key_values(options.properties, "property"),
        "global_tenant": options.all_projects or options.long,
        "show_deleted": options.deleted,
        "show_hidden": options.hidden,
    }
    if options.limit is not None:
        arguments["limit"] = options.limit
    if options.marker:
        arguments["marker"] = options.marker
    if options.tags:
        tag_argument = {None: "tags", "any": "tags_any", "not": "not_tags", "not-any": "not_tags_any"}
        arguments[tag_argument[options.tag_mode]] = options.tags
    if options.short:
        columns = columns[:3]
    if options.long:
        columns.insert(2, "Stack Owner")
    if options.nested:
        columns.append("Parent")
        arguments["show_nested"] = True
    if options.deleted:
        columns.append("Deletion Time")
    with located_errors(None):
        stacks = [as_mapping(stack) for stack in connection.client.stacks.list(**arguments)]
    if any("project" in stack for stack in stacks):
        columns.insert(2, "Project")
    stacks = sort_items(stacks, options.sort)
    return Listing(columns, [row_from(stack, columns) for stack in stacks])


def sort_items(items: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    """Sort like ``openstack``'s ``--sort key:dir,key2``; the last key is applied first."""
    if not sort:
        return items
    ordered = list(items)
    for part in reversed([piece for piece in sort.split(",") if piece]):
        key, _, direction = part.partition(":")
        direction = direction or "asc"
        if direction not in ("asc", "desc"):
            raise CommandError(f"Unknown sort direction: {direction}", exit_status=2)
        ordered.sort(
            key=lambda item: (item.get(key) is None, str(item.get(key) or "")), reverse=direction == "desc"
        )
    return ordered


# --- delete -----------------------------------------------------------------------------------------


def _delete_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stacks", metavar="STACK", nargs="+", help="name or ID of the stacks to delete")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_wait_arguments(parser, "delete")


def delete(options: argparse.Namespace, connection: Connection) -> None:
    from heatclient import exc  # type: ignore[import-untyped]

    if not confirm("Are you sure you want to delete this stack(s)", options.yes):
        return
    client = connection.client
    failed = 0
    waiting: list[tuple[str, str | None, StackState | None]] = []
    for stack in options.stacks:
        marker = last_event_id(client, stack) if options.wait else None
        previous = None
        try:
            if options.wait:
                previous = StackState.of(client.stacks.get(stack, resolve_outputs=False))
            client.stacks.delete(stack)
            waiting.append((stack, marker, previous))
        except exc.HTTPNotFound:
            failed += 1
            sys.stderr.write(f"Stack not found: {stack}\n")
        except exc.HTTPException as error:
            failed += 1
            sys.stderr.write(f"{stack}: {api_message(error)}\n")
    if options.wait:
        for stack, marker, previous in waiting:
            try:
                wait_for_stack(
                    client,
                    stack,
                    "DELETE",
                    stream=sys.stderr,
                    marker=marker,
                    previous=previous,
                    poll_seconds=options.poll,
                )
            except CommandError as error:
                failed += 1
                sys.stderr.write(f"{error}\n")
    if failed:
        raise CommandError(f"Unable to delete {failed} of the {len(options.stacks)} stacks.")


COMMANDS = (
    Command(("stack", "create"), "Create a stack.", create, _create_arguments, output="record"),
    Command(("stack", "update"), "Update a stack.", update, _update_arguments, output="record"),
    Command(("stack", "show"), "Show a stack's details.", show, _show_arguments, output="record"),
    Command(("stack", "list"), "List stacks.", list_stacks, _list_arguments, output="list"),
    Command(("stack", "delete"), "Delete stacks.", delete, _delete_arguments),
)
