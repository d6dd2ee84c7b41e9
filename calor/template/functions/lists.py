"""List and map functions.

HOT: ``repeat`` (three generations), ``map_merge``, ``map_replace``, ``filter``,
``list_concat``, ``list_concat_unique``, ``contains``. CFN: ``Fn::MemberListToMap``,
``Fn::Length``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.template.function import Function
from calor.template.functions.common import (
    MAX_STRING_LENGTH,
    CalorFunction,
    check_items,
    is_list,
    resolve,
)
from calor.template.functions.strings import to_json

if TYPE_CHECKING:
    from calor.template.context import StackContext


def _weight(value: Any) -> int:
    """A rough size of ``value`` (its JSON length), to bound what a function may build."""
    try:
        return len(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return len(repr(value))


class Repeat(CalorFunction):
    """A function for iterating over lists of items (every combination of their values)."""

    #: RepeatWithMap: the values of for_each may be maps (their keys are iterated).
    allow_maps = False

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, Mapping):
            raise self.fail(f'Arguments to "{name}" must be a map')
        if "for_each" not in args or "template" not in args:
            raise self.fail(
                f'"{name}" syntax should be repeat:\n  template: This is %var%\n  for_each:\n'
                "    %var%: ['a', 'b', 'c']"
            )
        self._for_each = args["for_each"]
        self._template = args["template"]
        self._nested_loop = self._permutations(args)

    def _permutations(self, args: Mapping[str, Any]) -> bool:
        return True

    def validate(self) -> None:
        super().validate()
        if not isinstance(self._for_each, Function | Mapping):
            raise self.fail(f'The "for_each" argument to "{self.name}" must contain a map')

    def _check_value(self, value: Any) -> None:
        if is_list(value) or (self.allow_maps and self._nested_loop and isinstance(value, Mapping)):
            return
        kinds = "lists or maps" if self.allow_maps and self._nested_loop else "lists"
        raise self.fail(f'The values of the "for_each" argument to "{self.name}" must be {kinds}')

    def _replace(self, keys: Sequence[str], values: Sequence[Any], template: Any) -> Any:
        if isinstance(template, str):
            for key, value in zip(keys, values, strict=True):
                if template == key:
                    return value
                if key in template:
                    text = (
                        value
                        if isinstance(value, str)
                        else (to_json(value) if isinstance(value, Mapping | list | tuple) else str(value))
                    )
                    template = template.replace(key, text)
            return template
        if isinstance(template, Mapping):
            replaced: dict[Any, Any] = {}
            for key, value in template.items():
                new_key = self._replace(keys, values, key)
                if not isinstance(new_key, str | int | float | bool) and new_key is not None:
                    new_key = to_json(new_key)
                replaced[new_key] = self._replace(keys, values, value)
            return replaced
        if is_list(template):
            return [self._replace(keys, values, item) for item in template]
        return template

    def result(self) -> Any:
        for_each = resolve(self._for_each)
        if not isinstance(for_each, Mapping):
            raise self.fail(f'The "for_each" argument to "{self.name}" must contain a map')
        if not for_each:
            return []
        keys: list[str] = []
        lists: list[list[Any]] = []
        for key, value in for_each.items():
            if not isinstance(key, str):
                raise self.fail(f'The keys of the "for_each" argument to "{self.name}" must be strings')
            keys.append(key)
            if value is None:
                lists.append([])
                continue
            self._check_value(value)
            lists.append(list(value))
        if self._nested_loop:
            count = 1
            for items in lists:
                count *= len(items)
                check_items(self, count)
        else:
            if len({len(items) for items in lists}) > 1:
                raise self.fail(
                    f"For {self.name}, the length of for_each values should be equal if no nested loop."
                )
            count = len(lists[0])
            check_items(self, count)
        template = resolve(self._template)
        if count * _weight(template) > MAX_STRING_LENGTH * 4:
            raise self.fail(f'The result of "{self.name}" would be too large')
        combinations = itertools.product(*lists) if self._nested_loop else zip(*lists, strict=True)
        return [self._replace(keys, values, template) for values in combinations]


class RepeatWithMap(Repeat):
    """A function for iterating over lists of items or the keys of maps."""

    allow_maps = True


class RepeatWithNestedLoop(RepeatWithMap):
    """A function for iterating over lists or maps; ``permutations: false`` pairs lists item by item."""

    def _permutations(self, args: Mapping[str, Any]) -> bool:
        permutations = args.get("permutations", True)
        if not isinstance(permutations, bool):
            raise self.fail(f'"permutations" should be boolean type for {self.name} function.')
        return permutations


class MapMerge(CalorFunction):
    """A function for merging maps (later maps win)."""

    def result(self) -> Any:
        args = resolve(self.args)
        if not is_list(args):
            raise self.fail(
                f'Incorrect arguments to "{self.name}" should be: '
                f'"{self.name}" : [ {{ "key1": "val1" }}, {{ "key2": "val2" }} ]'
            )
        merged: dict[Any, Any] = {}
        for item in args:
            if item is None:
                continue
            if not isinstance(item, Mapping):
                raise self.fail("Incorrect arguments: Items to merge must be maps.")
            merged.update(item)
        return merged


class MapReplace(CalorFunction):
    """A function for replacing the keys and values of a map."""

    def _example(self) -> str:
        return (
            f'"{self.name}" : [ {{ "key1": "val1" }}, '
            '{"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]'
        )

    def _ensure_map(self, value: Any) -> Mapping[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(
                f'Incorrect arguments: to "{self.name}", arguments must be a list of maps. '
                f"Example:  {self._example()}"
            )
        return value

    def result(self) -> Any:
        args = resolve(self.args)
        if not is_list(args) or len(args) != 2:
            raise self.fail(f'Incorrect arguments to "{self.name}" should be: {self._example()}')
        source = self._ensure_map(args[0])
        replacements = self._ensure_map(args[1])
        for key in replacements:
            if key not in ("keys", "values"):
                raise self.fail(f'Incorrect arguments to "{self.name}" should be: {self._example()}')
        new_keys = self._ensure_map(replacements.get("keys", {}))
        new_values = self._ensure_map(replacements.get("values", {}))
        replaced: dict[Any, Any] = {}
        for key, value in source.items():
            new_key = new_keys.get(key)
            if new_key is None:
                new_key = key
            elif new_key in source and new_key != key:
                raise self.fail(f"key replacement {new_key} collides with a key in the input map")
            elif new_key in replaced:
                raise self.fail(f"key replacement {new_key} collides with a key in the output map")
            try:
                replaced[new_key] = new_values.get(value, value)
            except TypeError:
                replaced[new_key] = value
        return replaced


class Filter(CalorFunction):
    """A function for filtering values out of a list: [values, list]."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not is_list(args):
            raise self.fail(f'Argument to "{name}" must be a list')
        if len(args) != 2:
            raise self.fail(
                f'"{name}" expected 2 arguments of the form [values, sequence] but got {len(args)} '
                "arguments instead"
            )
        self._values, self._sequence = args

    def result(self) -> Any:
        sequence = resolve(self._sequence)
        if not sequence:
            return sequence
        if not isinstance(sequence, list):
            raise self.fail(f'"{self.name}" only works with lists')
        values = resolve(self._values)
        if not values:
            return sequence
        if not isinstance(values, list):
            raise self.fail(f'"{self.name}" filters a list of values')
        return [item for item in sequence if item not in values]


def _identity(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


class ListConcat(CalorFunction):
    """A function for concatenating lists."""

    unique = False

    def result(self) -> Any:
        args = resolve(self.args)
        if not is_list(args):
            raise self.fail(
                f'Incorrect arguments to "{self.name}" should be: '
                f'"{self.name}" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]'
            )
        items: list[Any] = []
        for item in args:
            if item is None:
                continue
            if not is_list(item):
                raise self.fail("Incorrect arguments: Items to concat must be lists.")
            items.extend(item)
            check_items(self, len(items))
        if not self.unique:
            return items
        # Keep the last occurrence of each value, in order (what Heat does for simple cases).
        last_index = {_identity(item): index for index, item in enumerate(items)}
        return [item for index, item in enumerate(items) if last_index[_identity(item)] == index]


class ListConcatUnique(ListConcat):
    """A function for concatenating lists, keeping each item once."""

    unique = True


class Contains(CalorFunction):
    """A function for checking whether a value is in a sequence: [value, sequence]."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not args or not isinstance(args, list):
            raise self.fail(
                f'Incorrect arguments to "{name}" should be: "{name}" : [ "value1", [ "value1", "value2"]]'
            )
        if len(args) != 2:
            raise self.fail(f'Arguments to "{name}" must be of the form: [value1, [value1, value2]]')
        self._value, self._sequence = args

    def result(self) -> Any:
        value = resolve(self._value)
        sequence = resolve(self._sequence)
        if isinstance(sequence, str):
            return isinstance(value, str) and value in sequence
        if not is_list(sequence):
            raise self.fail(f'Second argument to "{self.name}" should be a sequence.')
        return value in sequence


class Length(CalorFunction):
    """A function for the number of items in a list."""

    def result(self) -> Any:
        value = resolve(self.args)
        if not is_list(value):
            raise self.fail(f'Argument to "{self.name}" must be a list')
        return len(value)


_MEMBER = re.compile(r"^(?:.*\.)?member\.([^.]+)\.(.+)$")


class MemberListToMap(CalorFunction):
    """A function to convert lists with enumerated keys and values to a map."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, list) or len(args) != 3:
            raise self.fail(
                f'Wrong Arguments try: "{name}" : [ "Name", "Value", [".member.0.Name=key", '
                '".member.0.Value=door"]]'
            )
        self._key_name, self._value_name, self._members = args

    def result(self) -> Any:
        members = resolve(self._members)
        key_name = resolve(self._key_name)
        value_name = resolve(self._value_name)
        if not is_list(members):
            raise self.fail("Member list must be a list")
        grouped: dict[str, dict[str, str]] = {}
        for member in members:
            if not isinstance(member, str):
                raise self.fail("Member list items must be strings")
            field, _, value = member.partition("=")
            match = _MEMBER.match(field)
            if match is None:
                continue
            grouped.setdefault(match.group(1), {})[match.group(2)] = value
        result: dict[str, Any] = {}
        for index in sorted(grouped, key=lambda item: (len(item), item)):
            entry = grouped[index]
            if key_name in entry and value_name in entry:
                result[entry[key_name]] = entry[value_name]
        return result
