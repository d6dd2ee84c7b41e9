"""AWS::CloudFormation::Stack: a nested stack from ``TemplateURL`` (found in the files map).

As Heat's NestedStack: ``Parameters`` become the child's parameters,
``TimeoutInMinutes`` its timeout; ``Fn::GetAtt [name, Outputs.<output>]`` reads the
child's outputs; ``Ref`` gives the child's ARN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from calor.errors import ResourceFailure
from calor.plugins.base import select_from_attribute
from calor.plugins.heat.nested_resource import NestedStackResource
from calor.schema.constraints import Range
from calor.schema.properties import PropertySchema

OUTPUTS_PREFIX = "Outputs."


class CloudFormationStack(NestedStackResource):
    """Represents a child stack to allow composition of templates."""

    type_name: ClassVar[str] = "AWS::CloudFormation::Stack"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "TemplateURL": PropertySchema(
            "string",
            "The URL of a template that specifies the stack to be created as a resource.",
            required=True,
            update_allowed=True,
        ),
        "TimeoutInMinutes": PropertySchema(
            "integer",
            "The length of time, in minutes, to wait for the nested stack creation.",
            update_allowed=True,
            constraints=(Range(min=1),),
        ),
        "Parameters": PropertySchema(
            "map", "The set of parameters passed to this nested stack.", default={}, update_allowed=True
        ),
    }

    @classmethod
    def has_attribute(cls, name: str) -> bool:
        return name.startswith(OUTPUTS_PREFIX) or super().has_attribute(name)

    def child_template(self) -> Mapping[str, Any] | str:
        url = str(self.properties["TemplateURL"])
        text = self.nested_stacks().files().get(url)
        if text is None:
            raise ResourceFailure(
                f'Could not fetch remote template "{url}": it is not in the files map.',
                resource_name=self.name,
                action="CREATE",
            )
        return text

    def child_parameters(self) -> Mapping[str, Any]:
        return dict(self.properties.get("Parameters") or {})

    def child_timeout_minutes(self) -> int | None:
        timeout = self.properties.get("TimeoutInMinutes")
        return int(timeout) if timeout is not None else None

    def get_attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        if name.startswith(OUTPUTS_PREFIX):
            outputs = self.child_outputs()
            key = name[len(OUTPUTS_PREFIX) :]
            if self.resource_id is not None and key not in outputs:
                raise ResourceFailure(
                    f"The Referenced Attribute ({self.name} {name}) is incorrect.", resource_name=self.name
                )
            return select_from_attribute(outputs.get(key), path)
        return super().get_attribute(name, path)

    def reference_id(self) -> str:
        child = self.child() if self.resource_id is not None else None
        if child is None:
            return self.name
        return f"arn:openstack:heat::{self.context.project_id}:stacks/{child.name}/{child.id}"
