"""OS::Heat::Stack: a stack made from a template given as a property, run as a nested stack.

Heat's type can target another region's Heat; Calor creates the stack in the same
cloud, as a child of the stack that declares it. Its physical id is the child stack's
id; the child's outputs are the ``outputs`` attribute, its name ``stack_name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.heat.nested_resource import NestedStackResource
from calor.schema.constraints import Range
from calor.schema.properties import AttributeSchema, PropertySchema, SupportStatus


class StackResource(NestedStackResource):
    """A resource representing a stack created from a template (in this cloud)."""

    type_name: ClassVar[str] = "OS::Heat::Stack"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.2")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "context": PropertySchema(
            "map",
            "Context for this stack (the region must be this cloud's).",
            schema={
                "region_name": PropertySchema("string", "Region name in which this stack will be created."),
                "credential_secret_id": PropertySchema("string", "A Barbican secret id (not supported)."),
                "ca_cert": PropertySchema("string", "CA Cert for SSL."),
                "insecure": PropertySchema(
                    "boolean", "If set, then the server's certificate will not be verified.", default=False
                ),
            },
        ),
        "template": PropertySchema(
            "string",
            "Template that specifies the stack to be created as a resource.",
            required=True,
            update_allowed=True,
        ),
        "timeout": PropertySchema(
            "integer",
            "Number of minutes to wait for this stack creation.",
            update_allowed=True,
            constraints=(Range(min=1),),
        ),
        "parameters": PropertySchema(
            "map", "Set of parameters passed to this stack.", default={}, update_allowed=True
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "stack_name": AttributeSchema("Name of the stack.", type="string"),
        "outputs": AttributeSchema("A dict of key-value pairs output from the stack.", type="map"),
    }

    @classmethod
    def validate_properties(
        cls, raw: Mapping[str, Any] | None, path: str, context: object | None = None
    ) -> dict[str, Any]:
        values = dict(raw or {})
        template = values.get("template")
        if isinstance(template, Mapping):
            import json

            values["template"] = json.dumps(template)
        return super().validate_properties(values, path, context)

    def child_template(self) -> Mapping[str, Any] | str:
        return str(self.properties["template"])

    def child_parameters(self) -> Mapping[str, Any]:
        return dict(self.properties.get("parameters") or {})

    def child_timeout_minutes(self) -> int | None:
        timeout = self.properties.get("timeout")
        return int(timeout) if timeout is not None else None

    def resolve_attribute(self, name: str) -> Any:
        child = self.child()
        if child is None:
            return None
        if name == "stack_name":
            return child.name
        if name == "outputs":
            return dict(child.outputs)
        return None
