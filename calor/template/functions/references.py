"""Functions that read parameters, resources, files and the parent resource.

HOT: ``get_param``, ``get_resource``, ``get_attr`` (three generations), ``get_file``,
``resource_facade``. CFN: ``Ref``, ``Fn::GetAtt``, ``Fn::FindInMap``, ``Fn::GetAZs``,
``Fn::ResourceFacade``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.errors import InvalidTemplateReference, TemplateError
from calor.template.function import Function
from calor.template.functions.common import (
    REMOVED,
    CalorFunction,
    SelfParsingFunction,
    is_list,
    resolve,
)
from calor.template.paths import join

if TYPE_CHECKING:
    from calor.template.context import ResourceView, StackContext
    from calor.template.functions.parser import Parser

MISSING = object()

#: Pseudo parameters answered from the context when the parameters mapping lacks them.
_PSEUDO_PARAMETERS = {
    "OS::stack_name": "stack_name",
    "OS::stack_id": "stack_id",
    "OS::project_id": "project_id",
    "AWS::StackName": "stack_name",
    "AWS::StackId": "stack_id",
    "AWS::Region": "region",
    "AWS::AccountId": "account_id",
}

NO_VALUE = "AWS::NoValue"


def lookup_parameter(context: StackContext, name: str) -> Any:
    """The value of parameter (or pseudo parameter) ``name``, or ``MISSING``."""
    parameters = context.parameters
    if parameters is not None and name in parameters:
        return parameters[name]
    field_name = _PSEUDO_PARAMETERS.get(name)
    if field_name is not None:
        return getattr(context, field_name)
    return MISSING


def has_parameter(context: StackContext, name: str) -> bool:
    parameters = context.parameters
    return (parameters is not None and name in parameters) or name in _PSEUDO_PARAMETERS


def bad_reference(name: Any, path: str) -> InvalidTemplateReference:
    return InvalidTemplateReference(f'The specified reference "{name}" (in {path}) is incorrect.', path=path)


class GetParam(CalorFunction):
    """A function for resolving parameter references."""

    def _name_and_path(self) -> tuple[str, list[Any]]:
        args = resolve(self.args)
        if args is None or args == "" or args == []:
            raise self.fail(f'Function "{self.name}" must have arguments')
        if isinstance(args, str):
            name, components = args, []
        elif is_list(args):
            name, components = args[0], list(args[1:])
        else:
            raise self.fail(f'Argument to "{self.name}" must be string or list')
        if not isinstance(name, str):
            raise self.fail(f'Parameter name in "{self.name}" must be string')
        return name, components

    def validate(self) -> None:
        super().validate()
        literal = self.args if isinstance(self.args, str) else None
        if is_list(self.args) and self.args and isinstance(self.args[0], str):
            literal = self.args[0]
        if literal is not None and not has_parameter(self.context, literal):
            raise bad_reference(literal, self.path)

    def result(self) -> Any:
        name, components = self._name_and_path()
        value = lookup_parameter(self.context, name)
        if value is MISSING:
            raise bad_reference(name, self.path)
        for component in components:
            if not isinstance(component, str | int) or isinstance(component, bool):
                raise self.fail(f'Path components in "{self.name}" must be strings')
            if isinstance(value, Mapping):
                if component not in value:
                    return ""
                value = value[component]
            elif is_list(value):
                try:
                    index = int(component)
                except ValueError:
                    raise self.fail(
                        f"Path components in '{self.name}' must be a string that can be parsed into an "
                        "integer."
                    ) from None
                if not -len(value) <= index < len(value):
                    return ""
                value = value[index]
            else:
                return ""
        return value


class ParameterRef(CalorFunction):
    """A reference to a parameter (``Ref`` inside the CFN conditions section)."""

    def validate(self) -> None:
        super().validate()
        if isinstance(self.args, str) and not has_parameter(self.context, self.args):
            raise bad_reference(self.args, self.path)

    def result(self) -> Any:
        name = resolve(self.args)
        if not isinstance(name, str):
            raise self.fail(f'Argument to "{self.name}" must be a string')
        value = lookup_parameter(self.context, name)
        if value is MISSING:
            raise bad_reference(name, self.path)
        return value


class ResourceReferenceMixin(CalorFunction, abc.ABC):
    """Finds the resource a call names, for ``get_resource``, ``get_attr`` and friends."""

    @abc.abstractmethod
    def resource_name(self) -> Any:
        """The name of the resource the call refers to (resolved, for a computed one)."""

    def resource(self) -> ResourceView:
        name = self.resource_name()
        view = self.context.resources.get(name) if isinstance(name, str) else None
        if view is None:
            raise bad_reference(name, self.path)
        return view

    def dependencies(self) -> Iterator[str]:
        yield from super().dependencies()
        name = self.resource_name()
        if isinstance(name, str):
            yield name


class GetResource(ResourceReferenceMixin):
    """A function for resolving resource references."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, str | Function):
            raise self.fail(f'Argument to "{name}" must be a string')

    def resource_name(self) -> Any:
        return resolve(self.args)

    def validate(self) -> None:
        super().validate()
        self.resource()

    def result(self) -> Any:
        return self.resource().reference_id()


class GetAttThenSelect(ResourceReferenceMixin):
    """A function for resolving resource attributes."""

    #: 2015-10-15 and later accept ``[resource_name]`` for all attributes.
    allow_all_attributes = False

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        self._resource_argument, self._attribute, self._path_components = self._parse_args()

    def _parse_args(self) -> tuple[Any, Any, list[Any]]:
        if self.allow_all_attributes and not self.args:
            raise self.fail(
                f'Arguments to "{self.name}" can be of the next forms: [resource_name] or '
                "[resource_name, attribute, (path), ...]"
            )
        if not is_list(self.args):
            raise self.fail(f'Argument to "{self.name}" must be a list')
        if self.allow_all_attributes and len(self.args) == 1:
            return self.args[0], None, []
        if len(self.args) < 2:
            raise self.fail(
                f'Arguments to "{self.name}" must be of the form [resource_name, attribute, (path), ...]'
            )
        return self.args[0], self.args[1], list(self.args[2:])

    def resource_name(self) -> Any:
        return resolve(self._resource_argument)

    def attribute_name(self) -> Any:
        return None if self._attribute is None else resolve(self._attribute)

    def attribute_dependencies(self) -> Iterator[tuple[str, str | None]]:
        yield from super().attribute_dependencies()
        name = self.resource_name()
        attribute = self.attribute_name()
        if isinstance(name, str) and (attribute is None or isinstance(attribute, str)):
            yield name, attribute

    def validate(self) -> None:
        super().validate()
        view = self.resource()
        if self._attribute is None:
            return
        attribute = self.attribute_name()
        if not isinstance(attribute, str) or not view.has_attribute(attribute):
            raise TemplateError(
                f"The Referenced Attribute ({self.resource_name()} {attribute}) is incorrect.",
                path=self.path,
            )

    def result(self) -> Any:
        view = self.resource()
        if self._attribute is None:
            return view.all_attributes()
        attribute = self.attribute_name()
        if not isinstance(attribute, str):
            raise self.fail(f'Attribute name in "{self.name}" must be a string')
        components = resolve(self._path_components)
        for component in components:
            if not isinstance(component, str | int) or isinstance(component, bool):
                raise self.fail(f'Path components in "{self.name}" must be strings or integers')
        return view.attribute(attribute, tuple(components))


class GetAtt(GetAttThenSelect):
    """A function for resolving resource attributes."""


class GetAttAllAttributes(GetAtt):
    """A function for resolving resource attributes (all of them when no attribute is named)."""

    allow_all_attributes = True


class CfnGetAtt(GetAttThenSelect):
    """A function for resolving resource attributes: [resource_name, attribute] or "name.attribute"."""

    def _parse_args(self) -> tuple[Any, Any, list[Any]]:
        if isinstance(self.args, str) and "." in self.args:
            resource, attribute = self.args.split(".", 1)
            return resource, attribute, []
        if is_list(self.args) and len(self.args) == 2:
            return self.args[0], self.args[1], []
        raise self.fail(f'Arguments to "{self.name}" must be of the form [resource_name, attribute]')


class Ref(ResourceReferenceMixin):
    """A function for resolving parameters or resource references."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, str | Function):
            raise self.fail(f'Argument to "{name}" must be a string')

    def _target(self) -> Any:
        return resolve(self.args)

    def resource_name(self) -> Any:
        target = self._target()
        if not isinstance(target, str) or target == NO_VALUE or has_parameter(self.context, target):
            return None
        return target

    def validate(self) -> None:
        CalorFunction.validate(self)
        target = self._target()
        if target == NO_VALUE or (isinstance(target, str) and has_parameter(self.context, target)):
            return
        self.resource()

    def result(self) -> Any:
        target = self._target()
        if target == NO_VALUE:
            return REMOVED
        if isinstance(target, str):
            value = lookup_parameter(self.context, target)
            if value is not MISSING:
                return value
        return self.resource().reference_id()


class GetFile(CalorFunction):
    """A function for including a file inline."""

    def _content(self, key: Any) -> str:
        if not isinstance(key, str):
            raise self.fail(f'Argument to "{self.name}" must be a string')
        content = self.context.files.get(key)
        if content is None:
            raise self.fail(f'No content found in the "files" section for {self.name} path: {key}')
        return content

    def validate(self) -> None:
        super().validate()
        if not isinstance(self.args, Function):
            self._content(self.args)

    def result(self) -> Any:
        return self._content(resolve(self.args))


class ResourceFacade(CalorFunction):
    """A function for retrieving data in a parent provider template."""

    attribute_names: tuple[str, str, str] = ("metadata", "deletion_policy", "update_policy")

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if args not in self.attribute_names:
            raise self.fail(
                f'Incorrect arguments to "{name}" should be one of: {", ".join(self.attribute_names)}'
            )

    def result(self) -> Any:
        parent = self.context.parent_resource
        if parent is None:
            raise self.fail(f'"{self.name}" can only be used in a template of a nested stack')
        if self.args == self.attribute_names[0]:
            return dict(parent.metadata)
        if self.args == self.attribute_names[1]:
            return parent.deletion_policy
        return dict(parent.update_policy)


class CfnResourceFacade(ResourceFacade):
    """A function for retrieving data in a parent provider template."""

    attribute_names = ("Metadata", "DeletionPolicy", "UpdatePolicy")


class GetAZs(CalorFunction):
    """A function for retrieving the availability zones."""

    def result(self) -> Any:
        return list(self.context.availability_zones)


class FindInMap(SelfParsingFunction):
    """A function for resolving keys in the template mappings."""

    mappings: Mapping[str, Any] = {}

    @classmethod
    def build(cls, parser: Parser, name: str, raw_args: Any, path: str) -> Function:
        function = cls(parser.context, name, parser.parse(raw_args, join(path, name)), path)
        function.mappings = parser.mappings
        return function

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not is_list(args) or len(args) != 3:
            raise self.fail(
                f'Arguments to "{name}" must be of the form [map_name, top_level_key, second_level_key]'
            )

    def result(self) -> Any:
        keys: Sequence[Any] = resolve(self.args)
        value: Any = self.mappings
        for key in keys:
            if not isinstance(value, Mapping) or not isinstance(key, str | int) or key not in value:
                raise self.fail(f'"{self.name}": the mappings have no entry {keys!r}')
            value = value[key]
        return value
