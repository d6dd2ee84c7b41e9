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
            plugin_class = plugin_types(type_name)
        except ResourceTypeNotFound:
            return None
        if plugin_class.has_attribute.__func__ is not ResourcePlugin.has_attribute.__func__:  # type: ignore[attr-defined]
            return None  # the type decides by itself (ResourceGroup, OS::Heat::None, ...)
        return list(plugin_class.attribute_schemas())

    return names


def environment_types(
    plugin_types: PluginTypes, environment: Any, files: Mapping[str, Any] | None = None
) -> PluginTypes:
    """``plugin_types`` seen through an environment's ``resource_registry`` aliases.

    A type mapped to a template, or named like a template file, is a provider template
    from ``files`` (:mod:`calor.plugins.heat.provider`).
    """
    from calor.plugins.heat.provider import provider_plugin
    from calor.template.resource_registry import is_template_name

    registry = getattr(environment, "registry", None)
    defaults = getattr(environment, "parameter_defaults", None) or {}
    # The engine asks for the same few types thousands of times in a big stack.
    resolved: dict[str, type[ResourcePlugin]] = {}

    def resolve(type_name: str) -> type[ResourcePlugin]:
        known = resolved.get(type_name)
        if known is None:
            known = resolved[type_name] = resolve_once(type_name)
        return known

    def resolve_once(type_name: str) -> type[ResourcePlugin]:
        match = registry.resolve(type_name) if registry is not None else None
        if match is not None and match.template is not None:
            return provider_plugin(
                type_name, match.template, files or {}, registered=True, parameter_defaults=defaults
            )
        final = match.type_name if match is not None else type_name
        if is_template_name(final):
            return provider_plugin(final, final, files or {}, registered=False, parameter_defaults=defaults)
        return plugin_types(final)

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
    types = environment_types(plugin_types, parsed.environment, parsed.files)
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
    types = environment_types(plugin_types, definition.template.environment, definition.template.files)
    return StackDefinitionParts(context, definition.resources, definition.outputs, types)
