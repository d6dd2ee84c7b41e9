"""OS::Heat::ResourceChain: resources of the listed types in a nested stack, each after the previous.

Member ``"N"`` has type ``resources[N]`` and properties ``resource_properties``; unless
``concurrent`` is true each member depends on the one before it. Attributes as
ResourceGroup: ``refs``, ``refs_map``, ``attributes``, ``resource.N``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.heat.resource_group import MemberStackResource
from calor.schema.properties import PropertySchema, SupportStatus


class ResourceChain(MemberStackResource):
    """Creates one or more resources of the given types, in order (or concurrently)."""

    type_name: ClassVar[str] = "OS::Heat::ResourceChain"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="6.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "resources": PropertySchema(
            "list",
            "The list of resource types to create. This list may contain type names or aliases "
            "defined in the resource registry.",
            required=True,
            update_allowed=True,
            schema=PropertySchema("string", "Resource type."),
        ),
        "concurrent": PropertySchema(
            "boolean",
            "If true, the resources in the chain will be created concurrently.",
            default=False,
            update_allowed=True,
        ),
        "resource_properties": PropertySchema(
            "map",
            "Properties to pass to each resource being created in the chain.",
            default={},
            update_allowed=True,
        ),
    }

    def member_names(self) -> list[str]:
        return [str(index) for index in range(len(self.properties.get("resources") or []))]

    def member_definitions(self) -> dict[str, dict[str, Any]]:
        definitions: dict[str, dict[str, Any]] = {}
        properties = dict(self.properties.get("resource_properties") or {})
        for index, type_name in enumerate(self.properties.get("resources") or []):
            definition: dict[str, Any] = {"type": str(type_name)}
            if properties:
                definition["properties"] = dict(properties)
            if index and not self.properties.get("concurrent"):
                definition["depends_on"] = [str(index - 1)]
            definitions[str(index)] = definition
        return definitions
