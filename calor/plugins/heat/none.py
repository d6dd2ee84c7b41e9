"""OS::Heat::None: a resource that does nothing, to stub out any other type in an environment.

It accepts any properties, answers every attribute with ``None``, gets a random UUID as
its physical id and never needs updating or replacing, as in Heat.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from calor.plugins.base import ResourcePlugin
from calor.schema.properties import SupportStatus


class NoneResource(ResourcePlugin):
    """Enables easily disabling certain resources via the resource_registry.

    It does nothing, but can effectively stub out any other resource because it will accept
    any properties and return any attribute (as None). It always does nothing on update.
    """

    type_name: ClassVar[str] = "OS::Heat::None"
    self_contained: ClassVar[bool] = True
    support_status: ClassVar[SupportStatus] = SupportStatus(version="5.0.0")

    @classmethod
    def validate_properties(
        cls, raw: Mapping[str, Any] | None, path: str, context: object | None = None
    ) -> dict[str, Any]:
        return dict(raw or {})

    @classmethod
    def has_attribute(cls, name: str) -> bool:
        return True

    def handle_create(self) -> Any:
        self.context.set_resource_id(str(uuid.uuid4()))
        return None

    def needs_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        return False

    def needs_replace(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        return False

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        return None

    def get_attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        return None

    def all_attributes(self) -> dict[str, Any]:
        return {}
