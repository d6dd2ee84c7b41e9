"""``heat``: the command line of Calor, named and flagged like ``openstack stack ...``.

``heat [--os-cloud NAME ...] stack create NAME -t TEMPLATE --wait``. Global options (the
``--os-*`` connection options, ``--debug``) may stand before or after the command words.
Exit status: 0 on success, 1 on an error, 2 on a usage error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import traceback
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import Any

from calor.cli import (
    events,
    hooks,
    outputs,
    resource_types,
    resources,
    snapshots,
    stack_actions,
    stacks,
    templates,
)
from calor.cli.commands import Command, api_message
from calor.cli.connection import Connection, register_arguments
from calor.cli.errors import CommandError
from calor.cli.formatting import LIST_FORMATS, RECORD_FORMATS, add_output_arguments, emit

FAMILIES = (stacks, stack_actions, resources, events, outputs, templates, resource_types, snapshots, hooks)

Tree = dict[str, Any]


def all_commands() -> list[Command]:
    """Every command, in the order ``heat --help`` lists them."""
    return [command for family in FAMILIES for command in family.COMMANDS]


def _command_tree(commands: Iterable[Command]) -> Tree:
    tree: Tree = {}
    for command in commands:
        for words in (command.words, *command.aliases):
            node = tree
            for word in words[:-1]:
                child = node.setdefault(word, {})
                if isinstance(child, Command):
                    raise ValueError(f"command {' '.join(words)} clashes with {' '.join(child.words)}")
                node = child
            if words[-1] in node:
                raise ValueError(f"command {' '.join(words)} is defined twice")
            node[words[-1]] = command
    return tree


def _add_subcommands(parser: argparse.ArgumentParser, tree: Tree, depth: int) -> None:
    subparsers = parser.add_subparsers(
        dest=f"_word{depth}", metavar="COMMAND", required=True, prog=parser.prog if depth == 0 else None
    )
    for word, node in tree.items():
        if isinstance(node, Command):
            child = subparsers.add_parser(word, help=node.summary, description=node.summary)
            node.arguments(child)
            if node.output != "none":
                formats = node.formats or (LIST_FORMATS if node.output == "list" else RECORD_FORMATS)
                add_output_arguments(child, formats, node.default_format)
            child.set_defaults(command=node)
        else:
            commands = ", ".join(sorted(node))
            child = subparsers.add_parser(word, help=f"{word} commands: {commands}")
            _add_subcommands(child, node, depth + 1)


def global_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The options that apply to every command: connection (``--os-*``) and ``--debug``."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--debug", action="store_true", help="show tracebacks and HTTP requests")
    parser.add_argument("--version", action="version", version=f"heat (calor) {_version()}")
    register_arguments(parser, argv)
    return parser


def build_parser(
    argv: Sequence[str] = (), globals_parser: argparse.ArgumentParser | None = None
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heat",
        usage="heat [--os-cloud NAME] [--os-* ...] [--debug] COMMAND ... [options]",
        description="Calor's orchestration client: stacks, resources, events, outputs and templates.",
        parents=[globals_parser or global_parser(argv)],
        allow_abbrev=False,
    )
    _add_subcommands(parser, _command_tree(all_commands()), 0)
    return parser


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """Parse a command line whose ``--os-*`` and ``--debug`` options may follow the command words."""
    options = global_parser(argv)
    return build_parser(argv, options).parse_args(hoist_global_options(argv, options))


def hoist_global_options(argv: Sequence[str], options: argparse.ArgumentParser) -> list[str]:
    """Move ``--os-*``, ``--debug`` and ``--insecure`` (with their values) before the command words.

    Only those: other connection options (``--timeout``) mean something else after a command.
    """
    actions = options._option_string_actions
    hoisted: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        name = token.split("=", 1)[0]
        action = actions.get(name)
        if action is None or not (name.startswith("--os-") or name in ("--debug", "--insecure")):
            rest.append(token)
        elif token == "--":
            rest.extend(argv[index:])
            break
        else:
            hoisted.append(token)
            if action.nargs != 0 and "=" not in token and index + 1 < len(argv):
                index += 1
                hoisted.append(argv[index])
        index += 1
    return hoisted + rest


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        options = parse_arguments(arguments)
    except SystemExit as exit_request:
        return _exit_status(exit_request)
    except Exception as error:
        message, status = describe_error(error)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        return status
    _configure_logging(options.debug)
    command: Command = options.command
    try:
        result = command.action(options, Connection(options))
        emit(result, options, sys.stdout)
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as error:
        if options.debug:
            traceback.print_exc()
        message, status = describe_error(error)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        return status
    return 0


def _configure_logging(debug: bool) -> None:
    """``--debug``: every library's log on standard error; otherwise none (errors are reported once)."""
    root = logging.getLogger()
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, force=True)
    elif not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())


def describe_error(error: BaseException) -> tuple[str | None, int]:
    """The one-line message and exit status for an error; ``None`` when it is a bug to show in full."""
    from heatclient import exc  # type: ignore[import-untyped]
    from keystoneauth1 import exceptions as auth_exceptions
    from openstack import exceptions as sdk_exceptions

    if isinstance(error, CommandError):
        return error.message, error.exit_status
    if isinstance(error, exc.HTTPException):
        return api_message(error), 1
    if isinstance(error, exc.BaseException):
        return " ".join(str(error).split()).removeprefix("ERROR: "), 1
    if isinstance(error, auth_exceptions.MissingRequiredOptions | auth_exceptions.NoMatchingPlugin):
        return (
            f"{' '.join(str(error).split())}. Name a cloud of clouds.yaml with --os-cloud or OS_CLOUD "
            "(heat-all writes one: OS_CLIENT_CONFIG_FILE=STATE_DIR/clouds.yaml), or give --os-auth-url "
            "and the credentials.",
            1,
        )
    if isinstance(error, auth_exceptions.ConnectFailure):
        text = " ".join(str(error).split())
        place = text.split(": HTTPConnectionPool", 1)[0].split(": HTTPSConnectionPool", 1)[0]
        cause = re.search(r"\[Errno -?\d+\] ([^\"')]+)", text)
        return place + (f" ({cause.group(1).strip()})" if cause and place != text else ""), 1
    if isinstance(error, auth_exceptions.ClientException):
        return " ".join(str(error).split()) or type(error).__name__, 1
    if isinstance(error, sdk_exceptions.SDKException):
        return " ".join(str(error).split()), 1
    if isinstance(error, OSError):
        return str(error), 1
    return None, 1


def _exit_status(exit_request: SystemExit) -> int:
    code = exit_request.code
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _version() -> str:
    try:
        return metadata.version("calor")
    except metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
