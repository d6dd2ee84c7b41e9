"""The ``yaql`` function: a YAQL expression evaluated over ``data``, within limits.

Heat's limits apply (``limit_iterators`` 200 elements, ``memory_quota`` 10000 bytes),
plus a bound on the expression's length. The regular-expression functions of the
YAQL standard library are left out: a catastrophic pattern could hold an engine
thread for hours, and a template must never do that.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaql
from yaql.language import exceptions as yaql_exceptions

from calor.template.function import Function
from calor.template.functions.common import MAX_ITEMS, CalorFunction, resolve

if TYPE_CHECKING:
    from calor.template.context import StackContext

LIMIT_ITERATORS = 200
MEMORY_QUOTA = 10000
MAX_EXPRESSION_LENGTH = 10000

_EVALUATION_ERRORS = (
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
    MemoryError,
)


class _Engine:
    """The YAQL parser and root context, built once."""

    parser: Any = None
    context: Any = None

    @classmethod
    def get(cls) -> tuple[Any, Any]:
        if cls.parser is None:
            options = {"yaql.limitIterators": LIMIT_ITERATORS, "yaql.memoryQuota": MEMORY_QUOTA}
            cls.parser = yaql.YaqlFactory().create(options)
            cls.context = yaql.create_context(regex=False)
        return cls.parser, cls.context


def _plain(value: Any, depth: int = 0) -> Any:
    """YAQL output as plain data (sets and iterators become lists), bounded in size and depth."""
    if depth > 100:
        raise ValueError("result nested too deeply")
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {_plain(key, depth + 1): _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        value = sorted(value, key=repr)
    try:
        iterator = iter(value)
    except TypeError:
        return str(value)
    items = list(itertools.islice(iterator, MAX_ITEMS + 1))
    if len(items) > MAX_ITEMS:
        raise ValueError(f"result has more than {MAX_ITEMS} items")
    return [_plain(item, depth + 1) for item in items]


class Yaql(CalorFunction):
    """A function for executing a yaql expression over the given data."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, Mapping):
            raise self.fail(f'Arguments to "{name}" must be a map.')
        if "expression" not in args or set(args) - {"expression", "data"}:
            raise self.fail(
                f'"{name}" syntax should be {name}:\n  expression: $.data.var1.sum()\n  data:\n'
                "    var1: [3, 2, 1]"
            )
        self._expression = args["expression"]
        self._data = args.get("data", {})

    def _parse(self, expression: Any) -> Any:
        if not isinstance(expression, str):
            raise self.fail(f'The "expression" argument to {self.name} must contain a string.')
        if len(expression) > MAX_EXPRESSION_LENGTH:
            raise self.fail(
                f'The "expression" argument to {self.name} is longer than {MAX_EXPRESSION_LENGTH} characters.'
            )
        parser, _ = _Engine.get()
        try:
            return parser(expression)
        except yaql_exceptions.YaqlException as error:
            raise self.fail(f"Bad expression {error}.") from None
        except (RecursionError, ValueError, TypeError) as error:
            raise self.fail(f"Bad expression {error}.") from None

    def validate(self) -> None:
        super().validate()
        if not isinstance(self._expression, Function):
            self._parse(self._expression)

    def result(self) -> Any:
        statement = self._parse(resolve(self._expression))
        data = resolve(self._data)
        _, root = _Engine.get()
        try:
            value = statement.evaluate({"data": data}, root.create_child_context())
            return _plain(value)
        except yaql_exceptions.YaqlException as error:
            raise self.fail(f"Error evaluating the expression of {self.name}: {error}") from None
        except _EVALUATION_ERRORS as error:
            raise self.fail(f"Error evaluating the expression of {self.name}: {error}") from None
