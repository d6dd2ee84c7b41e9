"""Comparing unresolved property values, for plugins' ``implicit_dependencies``."""

from __future__ import annotations

from typing import Any

from calor.template import function


def same_reference(first: Any, second: Any) -> bool:
    """Whether two unresolved property values name the same thing.

    Both refer to the same resources (``{get_resource: net}`` twice), or both are the same
    plain value (a network's name or id).
    """
    if first is None or second is None:
        return False
    first_names, second_names = set(function.dependencies(first)), set(function.dependencies(second))
    if first_names or second_names:
        return first_names == second_names
    if isinstance(first, function.Function) or isinstance(second, function.Function):
        return False
    return bool(first == second)


def referenced_resource(value: Any) -> str | None:
    """The one resource an unresolved value refers to (``{get_resource: port}``), else ``None``."""
    names = set(function.dependencies(value)) if value is not None else set()
    return names.pop() if len(names) == 1 else None
