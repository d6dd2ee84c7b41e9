"""The ``conditions`` section: named booleans that switch resources and outputs on or off.

A condition's definition is parsed with its template version's *condition-function*
table (``equals``, ``not``, ``and``, ``or``, ``get_param``, ... / ``Fn::Equals``,
``Fn::Not``, ...). Conditions may name other conditions (``not: other``,
``Fn::And: [{Condition: other}, ...]``): the functions read them through
``context.conditions``, which during evaluation is a :class:`ConditionTable` that
evaluates a named condition on first use and refuses cycles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from calor.errors import TemplateError
from calor.template import function, paths

ParseCondition = Callable[[Any, str], Any]


def _describe(definition: Any) -> str:
    return repr(definition) if isinstance(definition, function.Function) else str(definition)


class ConditionTable(dict[str, bool]):
    """Condition values by name, evaluated lazily on first lookup.

    ``name in table`` is true for every *defined* condition, evaluated or not, so the
    condition functions can tell an unknown name from one not evaluated yet.
    """

    def __init__(self, definitions: Mapping[str, Any], section: str) -> None:
        super().__init__()
        self._definitions = dict(definitions)
        self._section = section
        self._evaluating: list[str] = []

    def __contains__(self, name: object) -> bool:
        return name in self._definitions

    def __missing__(self, name: str) -> bool:
        if name not in self._definitions:
            raise KeyError(name)
        if name in self._evaluating:
            cycle = [*self._evaluating[self._evaluating.index(name) :], name]
            raise TemplateError(
                "Circular definition of conditions: " + " -> ".join(cycle),
                path=paths.join(self._section, name),
            )
        self._evaluating.append(name)
        try:
            value = _evaluate(name, self._definitions[name], paths.join(self._section, name))
        finally:
            self._evaluating.pop()
        self[name] = value
        return value

    def get(self, name: str, default: Any = None) -> Any:
        if name in self._definitions:
            return self[name]
        return default

    def keys(self) -> Any:
        return self._definitions.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)

    def evaluate_all(self) -> dict[str, bool]:
        """Every condition's value, as a plain dict."""
        return {name: self[name] for name in self._definitions}


def _evaluate(name: str, definition: Any, path: str) -> bool:
    check_definition(name, definition, path)
    value = function.resolve(definition)
    if not isinstance(value, bool):
        raise TemplateError(
            f'The definition of condition "{name}" is invalid: {_describe(definition)}', path=path
        )
    return value


def check_definition(name: str, definition: Any, path: str) -> None:
    """A parsed condition definition must be a boolean or a condition function."""
    if not isinstance(definition, bool | function.Function):
        raise TemplateError(
            f'The definition of condition "{name}" is invalid: {_describe(definition)}', path=path
        )


def parse_definitions(raw: Any, section: str, parse: ParseCondition) -> dict[str, Any]:
    """Parse the raw ``conditions`` section into definitions (functions or booleans)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise TemplateError(
            f"Condition definitions must be a map. Found a {type(raw).__name__} instead", path=section
        )
    parsed: dict[str, Any] = {}
    for name, definition in raw.items():
        path = paths.join(section, str(name))
        parsed[str(name)] = parse(definition, path)
        check_definition(str(name), parsed[str(name)], path)
    return parsed


def is_enabled(condition: Any, conditions: Mapping[str, bool], path: str) -> bool:
    """Whether a resource's or output's ``condition`` holds.

    ``condition`` is ``None`` (always), a boolean, a condition name, or a parsed
    condition expression (allowed in a resource's ``condition`` since HOT 2016-10-14).
    """
    if condition is None:
        return True
    if isinstance(condition, function.Function):
        condition = function.resolve(condition)
    if isinstance(condition, bool):
        return condition
    if isinstance(condition, str) and condition in conditions:
        return bool(conditions[condition])
    raise TemplateError(f'Invalid condition "{condition}"', path=path)
