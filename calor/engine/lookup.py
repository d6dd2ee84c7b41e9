"""The :class:`~calor.template.context.ResourceLookup` the engine gives templates: stored state.

``get_resource`` gives the physical id once the resource has one (the plugin's
``reference_id``), else the resource name; ``get_attr`` gives the value cached when
the resource completed, else asks the plugin (and caches the answer). Resources not
created yet give ``None`` attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from calor.definition.resource import ResourceDefinition
from calor.engine.resource_runner import ResourceRunner
from calor.engine.store import COMPLETE, INIT, ResourceState
from calor.errors import ResourceTypeNotFound
from calor.plugins.base import SHOW, select_from_attribute
from calor.template.context import ResourceView


class StoredResourceView:
    """One resource as functions see it during an operation."""

    def __init__(self, lookup: StoredResourceLookup, name: str, type_name: str) -> None:
        self._lookup = lookup
        self._name = name
        self._type_name = type_name

    @property
    def name(self) -> str:
        return self._name

    @property
    def type_name(self) -> str:
        return self._type_name

    def _state(self) -> ResourceState | None:
        state = self._lookup.runner.run.states.get(self._name)
        if state is None or state.action == INIT:
            return None
        return state

    def reference_id(self) -> str | None:
        state = self._state()
        if state is None:
            return self._name
        if state.physical_id is None:
            return self._name
        try:
            return self._lookup.runner.plugin_for(state).reference_id()
        except ResourceTypeNotFound:
            return state.physical_id

    def has_attribute(self, name: str) -> bool:
        try:
            return self._lookup.runner.plugin_types(self._type_name).has_attribute(name)
        except ResourceTypeNotFound:
            return False

    def attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        state = self._state()
        if state is None or (state.status != COMPLETE and name not in state.attributes):
            return None
        if path and name in getattr(self._lookup.runner.plugin_for(state), "path_attributes", ()):
            # An attribute whose value depends on the path (ResourceGroup's ``attributes``).
            return self._lookup.runner.plugin_for(state).get_attribute(name, path)
        if name in state.attributes:
            return select_from_attribute(state.attributes[name], path)
        cache = self._lookup.computed.setdefault(self._name, {})
        if name not in cache:
            cache[name] = self._lookup.runner.plugin_for(state).get_attribute(name)
        return select_from_attribute(cache[name], path)

    def all_attributes(self) -> Mapping[str, Any]:
        plugin_class = self._lookup.runner.plugin_types(self._type_name)
        return {name: self.attribute(name) for name in plugin_class.attribute_schemas() if name != SHOW}


class StoredResourceLookup:
    """Resources of a stack by name: the definitions' names, answered from stored state."""

    def __init__(self, runner: ResourceRunner, definitions: Mapping[str, ResourceDefinition]) -> None:
        self.runner = runner
        self.definitions = definitions
        self.computed: dict[str, dict[str, Any]] = {}

    def get(self, name: str) -> ResourceView | None:
        definition = self.definitions.get(name)
        if definition is not None:
            return StoredResourceView(self, name, definition.type_name)
        state = self.runner.run.states.get(name)
        if state is not None:
            return StoredResourceView(self, name, state.type_name)
        return None

    def names(self) -> Sequence[str]:
        return list(self.definitions)
