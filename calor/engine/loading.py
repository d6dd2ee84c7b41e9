"""A stored stack → what an operation needs: its template parsed and bound to its parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from calor.db.records import RawTemplateRecord, StackRecord
from calor.definition.stack import StackDefinition
from calor.engine.resource_runner import PluginTypes
from calor.engine.stack_operations import StackDefinitionParts
from calor.errors import ResourceTypeNotFound
from calor.plugins.base import ResourcePlugin
from calor.template import parse_template
from calor.template.context import StackContext


def environment_from(raw: Mapping[str, Any] | None) -> Any:
    """The stored environment mapping as an Environment (``None`` when there is none)."""
    if not raw:
        return None
    from calor.template.environment import Environment

    return Environment.from_mapping(raw, "environment")


def attribute_names(plugin_types: PluginTypes) -> Callable[[str], Iterable[str] | None]:
    """Type name → its attribute names, ``None`` for a type the registry does not know."""

    def names(type_name: str) -> Iterable[str] | None:
        try:
            return list(plugin_types(type_name).attribute_schemas())
        except ResourceTypeNotFound:
            return None

    return names


def environment_types(plugin_types: PluginTypes, environment: Any) -> PluginTypes:
    """``plugin_types`` seen through an environment's ``resource_registry`` aliases."""
    registry = getattr(environment, "registry", None)
    if registry is None:
        return plugin_types

    def resolve(type_name: str) -> type[ResourcePlugin]:
        match = registry.resolve(type_name)
        if match.template is not None:
            raise ResourceTypeNotFound(
                f"The Resource Type ({type_name}) maps to the provider template {match.template}, "
                "which is not supported yet."
            )
        return plugin_types(match.type_name)

    return resolve


def build_definition(
    *,
    template: Mapping[str, Any] | str,
    files: Mapping[str, Any] | None,
    environment: Mapping[str, Any] | None,
    parameters: Mapping[str, Any] | None,
    context: StackContext,
    plugin_types: PluginTypes,
) -> StackDefinition:
    """Parse a template and bind it; raises the user errors of parsing and binding."""
    parsed = parse_template(
        template,
        files={str(key): str(value) for key, value in (files or {}).items()},
        environment=environment_from(environment),
    )
    types = environment_types(plugin_types, parsed.environment)
    return StackDefinition.build(parsed, context, parameters, attribute_names=attribute_names(types))


def stack_context(stack: StackRecord) -> StackContext:
    return StackContext(stack_name=stack.name, stack_id=stack.id, project_id=stack.project_id)


def load_parts(stack: StackRecord, raw: RawTemplateRecord, plugin_types: PluginTypes) -> StackDefinitionParts:
    """The definitions of a stored stack, ready for an operation."""
    context = stack_context(stack)
    definition = build_definition(
        template=raw.template,
        files=raw.files,
        environment=raw.environment,
        parameters=stack.parameters,
        context=context,
        plugin_types=plugin_types,
    )
    types = environment_types(plugin_types, definition.template.environment)
    return StackDefinitionParts(context, definition.resources, definition.outputs, types)
