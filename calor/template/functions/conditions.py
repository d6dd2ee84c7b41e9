"""Condition functions and ``if``.

Conditions are referred to by name; a name is looked up with
``context.conditions[name]``, so that mapping may evaluate lazily (a dict whose
``__missing__`` evaluates the definition, as :class:`calor.template.conditions.ConditionTable`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from calor.errors import TemplateError
from calor.template import function as function_module
from calor.template.function import Function
from calor.template.functions.common import (
    REMOVED,
    CalorFunction,
    SelfParsingFunction,
    is_list,
    resolve,
    resolve_keeping_removed,
)
from calor.template.paths import join

if TYPE_CHECKING:
    from calor.template.context import StackContext
    from calor.template.functions.parser import Parser


def condition_value(function: Function, condition: Any) -> bool:
    """The truth of a resolved condition argument: a boolean or the name of a condition."""
    if isinstance(condition, bool):
        return condition
    if isinstance(condition, str):
        try:
            value = function.context.conditions[condition]
        except KeyError:
            raise TemplateError(f'Invalid condition "{condition}"', path=function.path) from None
        return bool(value)
    raise TemplateError(f'Invalid condition "{condition!r}"'[:300], path=function.path)


class If(SelfParsingFunction):
    """A function to return the value matching a condition: [condition, value_if_true, value_if_false]."""

    #: HOT 2021-04-16: the third argument may be left out; a false condition then removes the item.
    nullable = False

    @classmethod
    def build(cls, parser: Parser, name: str, raw_args: Any, path: str) -> Function:
        arguments_path = join(path, name)
        if is_list(raw_args) and raw_args:
            condition = parser.parse_condition(raw_args[0], join(arguments_path, 0))
            values = [
                parser.parse(item, join(arguments_path, index))
                for index, item in enumerate(raw_args)
                if index
            ]
            return cls(parser.context, name, [condition, *values], path)
        return cls(parser.context, name, raw_args, path)

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        counts = (2, 3) if self.nullable else (3,)
        if not is_list(args) or len(args) not in counts:
            form = (
                "[condition_name, value_if_true(, value_if_false)]"
                if self.nullable
                else ("[condition_name, value_if_true, value_if_false]")
            )
            raise self.fail(f'Arguments to "{name}" must be of the form: {form}')
        self._condition = args[0]
        self._if_true = args[1]
        self._if_false = args[2] if len(args) == 3 else REMOVED

    def _chosen(self) -> Any:
        return self._if_true if condition_value(self, resolve(self._condition)) else self._if_false

    def _branches(self) -> list[Any]:
        try:
            return [self._chosen()]
        except TemplateError:
            return [self._if_true, self._if_false]

    def result(self) -> Any:
        chosen = self._chosen()
        return REMOVED if chosen is REMOVED else resolve_keeping_removed(chosen)

    def validate(self) -> None:
        function_module.validate(self._condition)
        function_module.validate(self._chosen())

    def dependencies(self) -> Iterator[str]:
        yield from function_module.dependencies(self._condition)
        for branch in self._branches():
            yield from function_module.dependencies(branch)

    def attribute_dependencies(self) -> Iterator[tuple[str, str | None]]:
        yield from function_module.attribute_dependencies(self._condition)
        for branch in self._branches():
            yield from function_module.attribute_dependencies(branch)


class IfNullable(If):
    """A function to return the value matching a condition; without a false value the item is removed."""

    nullable = True


class Equals(CalorFunction):
    """A function for comparing whether two values are equal."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not args or not isinstance(args, list) or len(args) != 2:
            raise self.fail(f'Arguments to "{name}" must be of the form: [value_1, value_2]')

    def result(self) -> Any:
        first, second = resolve(self.args[0]), resolve(self.args[1])
        return bool(first == second)


class Not(CalorFunction):
    """A function that acts as a NOT operator on a condition."""

    def _condition_argument(self) -> Any:
        if self.args is None:
            raise self.fail(f'Argument to "{self.name}" must be a condition')
        return self.args

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        self._condition = self._condition_argument()

    def result(self) -> Any:
        return not condition_value(self, resolve(self._condition))


class CfnNot(Not):
    """A function that acts as a NOT operator on a condition: [condition]."""

    def _condition_argument(self) -> Any:
        if not is_list(self.args) or len(self.args) != 1:
            raise self.fail(f'Arguments to "{self.name}" must be of the form: [condition]')
        return self.args[0]


class And(CalorFunction):
    """A function that acts as an AND operator on conditions."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not is_list(args):
            raise self.fail(f'Arguments to "{name}" must be a list of conditions')
        if len(args) < 2:
            raise self.fail(f'The minimum number of condition arguments to "{name}" is 2.')

    def result(self) -> Any:
        return all(condition_value(self, resolve(item)) for item in self.args)


class Or(And):
    """A function that acts as an OR operator on conditions."""

    def result(self) -> Any:
        return any(condition_value(self, resolve(item)) for item in self.args)


class Condition(CalorFunction):
    """A reference to a named condition."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, str):
            raise self.fail(f'Argument to "{name}" must be the name of a condition')

    def result(self) -> Any:
        return condition_value(self, self.args)
