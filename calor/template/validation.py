"""Template validation as Heat's ``POST /validate`` does it, returning the same body.

:func:`validate_template` checks the sections, parameter schemas and groups,
conditions, resource and output definitions and every reference, without requiring
parameter values, then answers ``{"Description", "Parameters", "ParameterGroups"
(when the template has some), "NestedParameters" (``show_nested``), "Environment"}``.
Errors are raised (a :class:`~calor.errors.UserError` with path and line), where Heat's
engine returns ``{"Error": message}`` for the API to turn into a 400.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from calor.definition.stack import StackDefinition
from calor.errors import TemplateError, UserError
from calor.template.context import StackContext

if TYPE_CHECKING:
    from calor.template.base import Template
    from calor.template.environment import Environment

#: Attribute names a resource type declares (``None`` for an unknown type); from the plugin registry.
AttributeNames = Callable[[str], Iterable[str] | None]

#: Heat's ERROR_CODE_MAP: 99001 is "service not available for resource type".
IGNORABLE_ERROR_CODES = ("99001",)

#: The deepest nesting of provider templates ``show_nested`` follows.
MAX_NESTED_DEPTH = 5


def validate_template(
    template: Template,
    *,
    environment: Environment | None = None,
    parameters: Mapping[str, Any] | None = None,
    show_nested: bool = False,
    ignore_errors: Collection[str] = (),
    attribute_names: AttributeNames | None = None,
) -> dict[str, Any]:
    """Validate ``template`` and describe its parameters as Heat's validate API does.

    ``environment`` replaces the template's environment; ``parameters`` are user
    values (checked when given, but none are required). ``ignore_errors`` lists Heat
    error codes the caller's resource validation may skip; unknown codes are refused
    as Heat does (the template checks made here raise none of them).
    """
    invalid_codes = sorted(set(ignore_errors) - set(IGNORABLE_ERROR_CODES))
    if invalid_codes:
        raise TemplateError(f"Invalid codes in ignore_errors : {invalid_codes}")
    if environment is not None:
        template.environment = environment
    definition = StackDefinition.build(
        template,
        StackContext(stack_name="dummy", files=template.files),
        parameters,
        validate_parameters=False,
        attribute_names=attribute_names,
    )
    result: dict[str, Any] = {
        "Description": template.description,
        "Parameters": _parameter_descriptions(definition),
    }
    groups = template.parameter_groups()
    if groups:
        result["ParameterGroups"] = groups
    if show_nested:
        nested = _nested_parameters(definition, depth=1)
        if nested:
            result["NestedParameters"] = nested
    result["Environment"] = template.environment.to_mapping()
    return result


def _parameter_descriptions(definition: StackDefinition) -> dict[str, Any]:
    return definition.parameters.schema_for_validate()


def _nested_template(definition: StackDefinition, type_name: str, resource_name: str) -> Template | None:
    """The provider template a resource type stands for, when the files hold it."""
    from calor.template import parse_template

    template = definition.template
    try:
        match = template.environment.registry.resolve(type_name, resource_name)
    except UserError:  # a bad registry is reported where the stack is built, not here
        return None
    target = match.template or match.type_name
    if target not in template.files:
        return None
    return parse_template(
        template.files[target], files=template.files, environment=template.environment, source_name=target
    )


def _nested_parameters(definition: StackDefinition, depth: int) -> dict[str, Any]:
    if depth > MAX_NESTED_DEPTH:
        return {}
    found: dict[str, Any] = {}
    for name, resource in definition.resources.items():
        nested_template = _nested_template(definition, resource.type_name, name)
        if nested_template is None:
            continue
        properties = resource.resolved_properties()
        nested = StackDefinition.build(
            nested_template,
            StackContext(stack_name=f"dummy-{name}", files=nested_template.files),
            {key: value for key, value in properties.items() if value is not None},
            validate_parameters=False,
        )
        entry: dict[str, Any] = {
            "Type": resource.type_name,
            "Description": nested_template.description,
            "Parameters": _parameter_descriptions(nested),
        }
        groups = nested_template.parameter_groups()
        if groups:
            entry["ParameterGroups"] = groups
        deeper = _nested_parameters(nested, depth + 1)
        if deeper:
            entry["NestedParameters"] = deeper
        found[name] = entry
    return found
