"""The stored resources of a child stack, as read-only plugins: references and attributes.

ResourceGroup's ``refs`` and member attributes, and a provider template's
``resource.<name>`` attributes, are answered from the child's stored rows (cached
attribute values first, else the member plugin built on a read-only context).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from calor.engine.nested import ChildStacks, child_stacks, engine_of
from calor.engine.run import StackRun
from calor.plugins.base import ResourcePlugin, select_from_attribute
from calor.plugins.context import MemoryPluginContext
from calor.plugins.nested import NestedStacks


def stored_plugins(
    children: ChildStacks, stack_id: str, names: Sequence[str]
) -> dict[str, tuple[ResourcePlugin, Mapping[str, Any]]]:
    """Plugin instances (read only) of the named stored resources, with their stored attributes."""
    from calor.engine.loading import environment_from, environment_types

    wanted = set(names)
    records = [
        record
        for record in children.repository.get_resources(stack_id, include_replaced=False)
        if record.name in wanted
    ]
    if not records:
        return {}
    stack = children.repository.get_stack(stack_id, show_deleted=True)
    stack_name = stack.name if stack is not None else "stack"
    raw = None
    if stack is not None and stack.raw_template_id is not None:
        raw = children.repository.get_raw_template(stack.raw_template_id)
    types = children.engine.plugin_types
    if raw is not None:
        types = environment_types(types, environment_from(raw.environment), raw.files)
    data = children.repository.get_stack_resource_data(stack_id)
    found: dict[str, tuple[ResourcePlugin, Mapping[str, Any]]] = {}
    for record in records:
        context = StoredChildContext(
            ChildStacks(children.engine, stack_id, record.name, f"{stack_name}-{record.name}"),
            record.name,
            stack_name=stack_name,
            stack_id=stack_id,
            project_id=children.engine.project_id,
            resource_id=record.physical_resource_id,
            data=data.get(record.id, {}),
            metadata=record.metadata,
            stored_attributes=record.attribute_data,
        )
        plugin_class = types(record.type_name)
        plugin = plugin_class(record.name, record.properties_data, context, record.metadata)
        found[record.name] = (plugin, record.attribute_data)
    return found


def references(children: ChildStacks, stack_id: str, resource_names: Sequence[str]) -> dict[str, str | None]:
    plugins = stored_plugins(children, stack_id, resource_names)
    return {name: plugins[name][0].reference_id() if name in plugins else None for name in resource_names}


def attributes(
    children: ChildStacks,
    stack_id: str,
    resource_names: Sequence[str],
    attribute: str,
    path: Sequence[str | int] = (),
) -> dict[str, Any]:
    plugins = stored_plugins(children, stack_id, resource_names)
    values: dict[str, Any] = {}
    for name in resource_names:
        if name not in plugins:
            values[name] = None
            continue
        plugin, stored = plugins[name]
        if attribute in stored:
            values[name] = select_from_attribute(stored[attribute], path)
        elif plugin.has_attribute(attribute):
            values[name] = plugin.get_attribute(attribute, path)
        else:
            values[name] = None
    return values


def copy_context(run: StackRun, resource_name: str, **options: Any) -> MemoryPluginContext:
    """The context of a stored copy of ``run``'s resource (a replaced one): in memory, and
    able to reach the copy's child stack when the run has a database (:func:`child_stacks`)."""
    if engine_of(run) is None:
        return MemoryPluginContext(resource_name, **options)
    children = child_stacks(run, resource_name, f"{run.stack_name}-{resource_name}")
    assert isinstance(children, ChildStacks)
    options.pop("cloud", None)  # the child stacks' engine gives the cloud
    return StoredChildContext(children, resource_name, **options)


class StoredChildContext(MemoryPluginContext):
    """A read-only context for a child's stored resource (attributes and references)."""

    def __init__(self, children: ChildStacks, resource_name: str, **options: Any) -> None:
        super().__init__(resource_name, **options)
        self._children = children

    def nested_stacks(self) -> NestedStacks:
        return self._children

    def cloud(self) -> Any:
        factory = self._children.engine.cloud_factory
        if factory is None:
            return super().cloud()
        return factory()
