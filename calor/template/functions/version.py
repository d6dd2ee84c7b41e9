"""A template version: its function tables, sections and keys, and parsing with them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calor.template.functions.common import (
    FunctionTable,
    InvalidInConditions,
    RemovedFunction,
    is_marker,
)
from calor.template.functions.parser import Parser

if TYPE_CHECKING:
    from calor.template.context import StackContext


@dataclass(frozen=True)
class TemplateVersion:
    """One template format version (``heat_template_version: 2018-08-31``, ...).

    ``functions`` is the table for everything but the conditions section;
    ``condition_functions`` the functions Heat lists for the conditions section;
    ``condition_table`` what the conditions section is parsed with (the condition
    functions, every other function marked invalid there).
    """

    key: str
    date: str
    functions: FunctionTable
    condition_functions: FunctionTable
    sections: frozenset[str]
    resource_keys: frozenset[str]
    output_keys: frozenset[str]
    deletion_policies: frozenset[str]
    aliases: tuple[str, ...] = ()
    condition_table: FunctionTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, type[Any]] = {}
        for name, function_class in self.functions.items():
            removed = issubclass(function_class, RemovedFunction)
            table[name] = function_class if removed else InvalidInConditions
        table.update(self.condition_functions)
        object.__setattr__(self, "condition_table", table)

    @property
    def name(self) -> str:
        """``heat_template_version.2018-08-31``: the name the template-versions API shows."""
        return f"{self.key}.{self.date}"

    @property
    def has_conditions(self) -> bool:
        return bool(self.condition_functions)

    def parser(self, context: StackContext, *, mappings: Mapping[str, Any] | None = None) -> Parser:
        return Parser(self.functions, context, condition_functions=self.condition_table, mappings=mappings)

    def parse(
        self, context: StackContext, snippet: Any, path: str, *, mappings: Mapping[str, Any] | None = None
    ) -> Any:
        """Parse a snippet outside the conditions section (resources, outputs, ...)."""
        return self.parser(context, mappings=mappings).parse(snippet, path)

    def parse_condition(
        self, context: StackContext, snippet: Any, path: str, *, mappings: Mapping[str, Any] | None = None
    ) -> Any:
        """Parse a condition definition (one entry of the conditions section)."""
        return self.parser(context, mappings=mappings).parse_condition(snippet, path)

    def describe_functions(self, *, with_condition_functions: bool = False) -> list[dict[str, str]]:
        """What the template-versions API lists: ``[{"functions": name, "description": ...}]``."""
        described = [
            _describe(name, function_class)
            for name, function_class in self.functions.items()
            if not is_marker(function_class)
        ]
        if with_condition_functions:
            described.extend(
                _describe(name, function_class) for name, function_class in self.condition_functions.items()
            )
        return sorted(described, key=lambda item: item["functions"])


def _describe(name: str, function_class: type[Any]) -> dict[str, str]:
    doc = (function_class.__doc__ or "").strip().splitlines()
    return {"functions": name, "description": doc[0] if doc else ""}
