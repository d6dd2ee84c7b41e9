"""A :class:`~calor.template.context.ResourceLookup` answered from definitions alone.

Used before a stack exists (validate, preview, building the graph): every defined
resource exists, its reference id is its name and its attributes have no value yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from calor.definition.resource import ResourceDefinition

#: The attribute names a resource type declares, or ``None`` when the type is unknown.
AttributeNames = Callable[[str], Iterable[str] | None]


class DefinitionView:
    """One defined resource as functions see it, before it is created."""

    def __init__(self, definition: ResourceDefinition, attribute_names: AttributeNames | None) -> None:
        self._definition = definition
        self._attribute_names = attribute_names

    @property
    def name(self) -> str:
        return self._definition.name

    @property
    def type_name(self) -> str:
        return self._definition.type_name

    def reference_id(self) -> str | None:
        return self._definition.name

    def has_attribute(self, name: str) -> bool:
        if self._attribute_names is None:
            return True
        names = self._attribute_names(self._definition.type_name)
        # An unknown type (a provider template, a third-party plugin) accepts any attribute.
        return names is None or name in set(names) or name == "show"

    def attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        return None

    def all_attributes(self) -> Mapping[str, Any]:
        return {}


class DefinitionLookup:
    """Resources by name from a mapping of definitions (kept by reference, so it can grow)."""

    def __init__(
        self,
        definitions: Mapping[str, ResourceDefinition],
        attribute_names: AttributeNames | None = None,
    ) -> None:
        self._definitions = definitions
        self._attribute_names = attribute_names

    def get(self, name: str) -> DefinitionView | None:
        definition = self._definitions.get(name)
        if definition is None:
            return None
        return DefinitionView(definition, self._attribute_names)

    def names(self) -> Sequence[str]:
        return tuple(self._definitions)
