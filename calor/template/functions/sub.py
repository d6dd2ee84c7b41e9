"""``Fn::Sub``: variables substituted into a string (beyond Heat, as AWS CloudFormation has it).

``"Fn::Sub": "text ${Param} ${Resource} ${Resource.Attribute} ${!Literal}"`` or
``"Fn::Sub": ["text ${Var}", {"Var": value}]``. A name is, in order: a variable of the
second form, a parameter or pseudo parameter, a resource (its reference id), or
``resource.attribute``. ``${!Literal}`` gives ``${Literal}``. Resources named are
dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from calor.errors import TemplateError
from calor.template.function import Function
from calor.template.functions.common import CalorFunction, check_length, is_list, resolve
from calor.template.functions.references import MISSING, bad_reference, lookup_parameter
from calor.template.functions.strings import to_json

if TYPE_CHECKING:
    from calor.template.context import StackContext

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Sub(CalorFunction):
    """A function for substituting variables, parameters and resource values into a string."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if isinstance(args, str):
            self._template: str = args
            self._variables: Any = {}
        elif is_list(args) and len(args) == 2 and isinstance(args[0], str):
            self._template = args[0]
            self._variables = args[1]
            if not isinstance(self._variables, Mapping | Function):
                raise self.fail(f'The second argument to "{name}" must be a map of variables')
        else:
            raise self.fail(f'Arguments to "{name}" must be a string or [string, {{variables}}]')

    def _names(self) -> list[str]:
        return [match.strip() for match in _VARIABLE.findall(self._template) if not match.startswith("!")]

    def _declared(self) -> set[str]:
        if isinstance(self._variables, Mapping):
            return {key for key in self._variables if isinstance(key, str)}
        return set()

    def _references(self) -> Iterator[tuple[str, str | None]]:
        """``(resource, attribute or None)`` for every name that refers to a resource."""
        declared = self._declared()
        for name in self._names():
            if name in declared or lookup_parameter(self.context, name) is not MISSING:
                continue
            resource, _, attribute = name.partition(".")
            yield resource, attribute or None

    def dependencies(self) -> Iterator[str]:
        yield from super().dependencies()
        for resource, _ in self._references():
            yield resource

    def attribute_dependencies(self) -> Iterator[tuple[str, str | None]]:
        yield from super().attribute_dependencies()
        for resource, attribute in self._references():
            if attribute is not None:
                yield resource, attribute

    def validate(self) -> None:
        super().validate()
        for resource, attribute in self._references():
            view = self.context.resources.get(resource)
            if view is None:
                raise bad_reference(resource if attribute is None else f"{resource}.{attribute}", self.path)
            if attribute is not None and not view.has_attribute(attribute):
                raise TemplateError(
                    f"The Referenced Attribute ({resource} {attribute}) is incorrect.", path=self.path
                )

    def _text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if is_list(value) and all(isinstance(item, str) for item in value):
            return ",".join(value)
        return to_json(value)

    def _value(self, name: str, variables: Mapping[str, Any]) -> str:
        if name in variables:
            return self._text(variables[name])
        value = lookup_parameter(self.context, name)
        if value is not MISSING:
            return self._text(value)
        resource, _, attribute = name.partition(".")
        view = self.context.resources.get(resource)
        if view is None:
            raise bad_reference(name, self.path)
        if attribute:
            return self._text(view.attribute(attribute))
        return self._text(view.reference_id())

    def result(self) -> Any:
        variables = resolve(self._variables)
        if not isinstance(variables, Mapping):
            raise self.fail(f'The second argument to "{self.name}" must be a map of variables')
        pieces: list[str] = []
        position = 0
        length = 0
        for match in _VARIABLE.finditer(self._template):
            pieces.append(self._template[position : match.start()])
            body = match.group(1)
            if body.startswith("!"):
                pieces.append("${" + body[1:] + "}")
            else:
                pieces.append(self._value(body.strip(), variables))
            length += len(pieces[-1]) + len(pieces[-2])
            check_length(self, length)
            position = match.end()
        pieces.append(self._template[position:])
        return "".join(pieces)
