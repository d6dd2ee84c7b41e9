"""The command table: each command's words, arguments, action and kind of output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from calor.cli.errors import CommandError
from calor.cli.results import Result

if TYPE_CHECKING:
    from calor.cli.connection import Connection
    from calor.cli.template_files import LocalTemplate

Action = Callable[[argparse.Namespace, "Connection"], Result]
Output = Literal["list", "record", "none"]


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """A command that takes no arguments of its own."""


@dataclass(frozen=True)
class Command:
    """One ``heat`` command: ``words`` (``("stack", "create")``) and its aliases name it."""

    words: tuple[str, ...]
    summary: str
    action: Action
    arguments: Callable[[argparse.ArgumentParser], None] = no_arguments
    output: Output = "none"
    default_format: str = "table"
    aliases: tuple[tuple[str, ...], ...] = ()
    formats: tuple[str, ...] | None = None


def api_message(error: Any) -> str:
    """The message of a heatclient HTTP error, as Heat's error body puts it."""
    body = getattr(error, "error", None)
    message = None
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            message = inner.get("message")
        message = message or body.get("explanation")
    if not message:
        message = getattr(error, "message", None) or str(error)
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
    code = getattr(error, "code", None)
    text = " ".join(str(message).split())
    if code == 404 or code == 409 or code == 400:
        return text
    if isinstance(code, int):
        return f"{text} (HTTP {code})"
    return text


def is_http_error(error: BaseException, *codes: int) -> bool:
    from heatclient import exc  # type: ignore[import-untyped]

    if not isinstance(error, exc.HTTPException):
        return False
    return not codes or getattr(error, "code", None) in codes


@contextmanager
def located_errors(local: LocalTemplate | None) -> Iterator[None]:
    """Turn an API error about the template into ``file:line: path: message``."""
    from heatclient import exc

    try:
        yield
    except exc.HTTPException as error:
        message = api_message(error)
        if local is not None:
            message = local.locate(message)
        raise CommandError(message) from None


@contextmanager
def not_found(message: str) -> Iterator[None]:
    """Report a 404 from the API as ``message`` (``Stack not found: web``)."""
    from heatclient import exc

    try:
        yield
    except exc.HTTPNotFound:
        raise CommandError(message) from None


def key_values(pairs: Sequence[str] | None, option: str) -> dict[str, str]:
    """``["a=1", "b=2"]`` → ``{"a": "1", "b": "2"}``; a pair without ``=`` is a usage error."""
    values: dict[str, str] = {}
    for pair in pairs or ():
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise CommandError(f"Malformed {option} ({pair}). Use the key=value format.", exit_status=2)
        values[name] = value
    return values


def confirm(question: str, assume_yes: bool) -> bool:
    """Ask on a terminal; without one (scripts) the answer is yes, as ``openstack`` does."""
    if assume_yes or not sys.stdin.isatty():
        return True
    try:
        answer = input(f"{question} [y/N]? ")
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower().startswith("y")


def add_wait_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--wait", action="store_true", help=f"wait until the {what} finishes, showing progress"
    )
    parser.add_argument(
        "--poll",
        metavar="SECONDS",
        type=positive_float,
        default=2.0,
        help="seconds between polls with --wait (default: 2)",
    )


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value
