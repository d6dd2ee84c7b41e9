"""Raw template data to Function objects.

A mapping with exactly one key that names a function of the table becomes a call of
that function; its arguments are parsed first, at the path ``<path>.<name>``. Everything
else is copied, with its items parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from calor.template import paths
from calor.template.functions.common import FunctionTable, SelfParsingFunction

if TYPE_CHECKING:
    from calor.template.context import StackContext

_EMPTY_TABLE: FunctionTable = {}


class Parser:
    """Parses snippets of one template: its function table, condition table and mappings.

    ``condition_functions`` is the table used for the condition argument of ``if`` /
    ``Fn::If`` and for the ``conditions`` section (see ``TemplateVersion``);
    ``mappings`` is the CFN ``Mappings`` section, read by ``Fn::FindInMap``.
    """

    def __init__(
        self,
        functions: FunctionTable,
        context: StackContext,
        *,
        condition_functions: FunctionTable | None = None,
        mappings: Mapping[str, Any] | None = None,
    ) -> None:
        self.functions = functions
        self.context = context
        self.condition_functions = condition_functions if condition_functions is not None else _EMPTY_TABLE
        self.mappings: Mapping[str, Any] = mappings if mappings is not None else {}

    def parse(self, snippet: Any, path: str) -> Any:
        """``snippet`` with every function call of the main table turned into a Function."""
        return self._parse(self.functions, snippet, path)

    def parse_condition(self, snippet: Any, path: str) -> Any:
        """``snippet`` parsed with the condition table (the ``conditions`` section)."""
        if self.condition_functions is self.functions:
            return self.parse(snippet, path)
        condition_parser = Parser(
            self.condition_functions,
            self.context,
            condition_functions=self.condition_functions,
            mappings=self.mappings,
        )
        return condition_parser.parse(snippet, path)

    def _parse(self, table: FunctionTable, snippet: Any, path: str) -> Any:
        if isinstance(snippet, Mapping):
            if len(snippet) == 1:
                name, raw_args = next(iter(snippet.items()))
                if isinstance(name, str):
                    function_class = table.get(name)
                    if function_class is not None:
                        if issubclass(function_class, SelfParsingFunction):
                            return function_class.build(self, name, raw_args, path)
                        arguments = self._parse(table, raw_args, paths.join(path, name))
                        return function_class(self.context, name, arguments, path)
            return {
                key: self._parse(table, value, paths.join(path, str(key))) for key, value in snippet.items()
            }
        if isinstance(snippet, list):
            return [self._parse(table, item, paths.join(path, index)) for index, item in enumerate(snippet)]
        return snippet


def parse_snippet(
    table: FunctionTable,
    context: StackContext,
    snippet: Any,
    path: str,
    *,
    condition_functions: FunctionTable | None = None,
    mappings: Mapping[str, Any] | None = None,
) -> Any:
    """Turn raw template data into Function objects (see :class:`Parser`)."""
    parser = Parser(table, context, condition_functions=condition_functions, mappings=mappings)
    return parser.parse(snippet, path)
