"""What every intrinsic function shares: errors, limits, the removal marker, resolution.

A function whose value means "leave this item out" (the two-argument ``if`` of HOT
2021-04-16 when its condition is false, ``Ref: AWS::NoValue``) returns
:data:`REMOVED`. :func:`resolve` drops map entries and list items whose value is
:data:`REMOVED`; at the top level it gives ``None``. Code that resolves properties,
metadata or outputs calls :func:`resolve` (defined with :data:`REMOVED` in
:mod:`calor.template.function` and re-exported here).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.errors import TemplateError
from calor.template.function import REMOVED as REMOVED
from calor.template.function import Function
from calor.template.function import resolve as resolve
from calor.template.function import resolve_keeping_removed as resolve_keeping_removed

if TYPE_CHECKING:
    from calor.template.context import StackContext
    from calor.template.functions.parser import Parser

FunctionTable = Mapping[str, type[Function]]


#: Hostile-input bounds: the largest list a function may build and the longest string.
MAX_ITEMS = 10_000
MAX_STRING_LENGTH = 4 * 1024 * 1024


class FunctionNotSupported(TemplateError):
    """A function the template's version does not have (removed, or not yet added)."""

    heat_type = "InvalidTemplateVersion"


def type_name(value: Any) -> str:
    """A user's word for the type of ``value``: string, list, map, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, Sequence):
        return "list"
    return type(value).__name__


def is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def check_length(function: Function, length: int) -> None:
    """Refuse to build a string longer than :data:`MAX_STRING_LENGTH`."""
    if length > MAX_STRING_LENGTH:
        raise TemplateError(
            f'The result of "{function.name}" would be longer than {MAX_STRING_LENGTH} characters',
            path=function.path,
        )


def check_items(function: Function, count: int) -> None:
    """Refuse to build a list of more than :data:`MAX_ITEMS` items."""
    if count > MAX_ITEMS:
        raise TemplateError(
            f'The result of "{function.name}" would have more than {MAX_ITEMS} items',
            path=function.path,
        )


class CalorFunction(Function):
    """Base of this package's functions: ``fail()`` raises a TemplateError at the call's path."""

    def fail(self, message: str) -> TemplateError:
        return TemplateError(message, path=self.path)


class SelfParsingFunction(CalorFunction, abc.ABC):
    """A function that parses its own raw arguments (to use the condition table, or mappings).

    The parser calls :meth:`build` with the raw arguments instead of parsing them first.
    """

    @classmethod
    @abc.abstractmethod
    def build(cls, parser: Parser, name: str, raw_args: Any, path: str) -> Function:
        """The function call built from its raw arguments."""


class RemovedFunction(Function):
    """Not supported in this template version."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        raise FunctionNotSupported(
            f"The template version is invalid: The function {name} is not supported in this version of HOT.",
            path=path,
        )


class InvalidInConditions(Function):
    """A function that is not allowed inside the conditions section."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        Function.__init__(self, context, name, args, path)
        raise TemplateError(f'The function "{name}" is invalid in this context', path=path)


def is_marker(function_class: type[Function]) -> bool:
    """Whether a table entry only raises (removed, or invalid in the conditions section)."""
    return issubclass(function_class, RemovedFunction | InvalidInConditions)
