"""``heat orchestration template validate|version list|function list`` (also ``heat template ...``)."""

from __future__ import annotations

import argparse
from typing import Any

from calor.cli.commands import Command, key_values, located_errors, not_found
from calor.cli.connection import Connection
from calor.cli.results import Listing, Record, as_mapping
from calor.cli.template_files import read_template_fields


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-t", "--template", metavar="TEMPLATE", required=True, help="path or URL of the template"
    )
    parser.add_argument(
        "-e", "--environment", metavar="ENVIRONMENT", action="append", help="environment file (repeatable)"
    )
    parser.add_argument("--parameter", metavar="KEY=VALUE", action="append", help="a parameter value")
    parser.add_argument("--show-nested", action="store_true", help="resolve nested templates' parameters too")
    parser.add_argument("--ignore-errors", metavar="ERROR1,ERROR2", help="Heat errors to ignore")


def validate(options: argparse.Namespace, connection: Connection) -> Record:
    client = connection.client
    fields = read_template_fields(client, options.template, options.environment)
    request: dict[str, Any] = fields.request_fields()
    request["parameters"] = _parameters(options.parameter)
    if options.ignore_errors:
        request["ignore_errors"] = options.ignore_errors
    if options.show_nested:
        request["show_nested"] = True
    with located_errors(fields.local):
        validation = client.stacks.validate(**request)
    return Record.from_mapping(validation)


def _parameters(pairs: list[str] | None) -> dict[str, Any]:
    if pairs and len(pairs) == 1 and ";" in pairs[0]:
        pairs = pairs[0].split(";")
    return key_values(pairs, "parameter")


def version_list(options: argparse.Namespace, connection: Connection) -> Listing:
    with located_errors(None):
        versions = [as_mapping(version) for version in connection.client.template_versions.list()]
    if any("aliases" in version for version in versions):
        rows = [[v.get("version"), v.get("type"), ",".join(v.get("aliases") or [])] for v in versions]
        return Listing(["Version", "Type", "Aliases"], rows)
    return Listing(["Version", "Type"], [[v.get("version"), v.get("type")] for v in versions])


def _function_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "template_version", metavar="VERSION", help="template version (heat_template_version.2021-04-16)"
    )
    parser.add_argument(
        "--with_conditions",
        "--with-conditions",
        dest="with_conditions",
        action="store_true",
        help="also show the condition functions",
    )


def function_list(options: argparse.Namespace, connection: Connection) -> Listing:
    version = options.template_version
    with not_found(f"Template version not found: {version}"), located_errors(None):
        functions = connection.client.template_versions.get(
            version, with_condition_func=options.with_conditions
        )
    rows = [[data.get("functions"), data.get("description")] for data in map(as_mapping, functions)]
    return Listing(["Functions", "Description"], rows)


COMMANDS = (
    Command(
        ("orchestration", "template", "validate"),
        "Validate a template.",
        validate,
        _validate_arguments,
        "record",
        default_format="yaml",
        aliases=(("template", "validate"),),
    ),
    Command(
        ("orchestration", "template", "version", "list"),
        "List the template versions.",
        version_list,
        output="list",
        aliases=(("template", "version", "list"),),
    ),
    Command(
        ("orchestration", "template", "function", "list"),
        "List a template version's functions.",
        function_list,
        _function_arguments,
        "list",
        aliases=(("template", "function", "list"),),
    ),
)
