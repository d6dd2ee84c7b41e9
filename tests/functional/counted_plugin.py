"""A test resource type that records every handle_create (and handle_adopt) call in its resource data.

Loaded by engine subprocesses too (``heat-engine --plugin counted_plugin:Counted``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.base import ResourcePlugin
from calor.schema.properties import AttributeSchema, PropertySchema


class Counted(ResourcePlugin):
    """Counts its creations (``creates`` in resource data) and waits ``wait_secs`` by polling."""

    type_name: ClassVar[str] = "Test::Counted"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "wait_secs": PropertySchema(type="number", default=0),
        "value": PropertySchema(type="string", default=""),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "creates": AttributeSchema("How many times handle_create ran."),
    }

    def handle_create(self) -> Any:
        count = int(self.context.data().get("creates", "0")) + 1
        self.context.data_set("creates", str(count))
        self.context.set_resource_id(f"counted-{self.name}")
        return {"until": self.now() + float(self.properties["wait_secs"])}

    def check_create_complete(self, token: Any) -> bool:
        return self.now() >= float(token["until"])

    def handle_adopt(self, resource_data: Mapping[str, Any]) -> Any:
        """Adopt as every resource does, counting the adopts (``adopts``), then wait ``wait_secs``."""
        super().handle_adopt(resource_data)
        count = int(self.context.data().get("adopts", "0")) + 1
        self.context.data_set("adopts", str(count))
        return {"until": self.now() + float(self.properties["wait_secs"])}

    def check_adopt_complete(self, token: Any) -> bool:
        return self.now() >= float(token["until"])

    def resolve_attribute(self, name: str) -> Any:
        return self.context.data().get("creates")
