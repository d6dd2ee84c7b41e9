"""Stack and resource ARNs as Heat spells them: ``arn:openstack:heat::{project}:stacks/{name}/{id}``.

Handles name their signal URLs and physical ids with them; heat-api-cfn parses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARN = re.compile(
    r"^arn:openstack:heat::(?P<project>[^:]*):stacks/(?P<name>[^/]+)/(?P<id>[^/]+)"
    r"(?:/resources/(?P<resource>[^/]+))?/?$"
)


@dataclass(frozen=True)
class StackArn:
    """A stack's identity; ``resource_name`` when the ARN names one of its resources."""

    project_id: str
    stack_name: str
    stack_id: str
    resource_name: str | None = None

    def __str__(self) -> str:
        arn = f"arn:openstack:heat::{self.project_id}:stacks/{self.stack_name}/{self.stack_id}"
        if self.resource_name is not None:
            arn += f"/resources/{self.resource_name}"
        return arn

    def resource(self, name: str) -> StackArn:
        return StackArn(self.project_id, self.stack_name, self.stack_id, name)

    @classmethod
    def parse(cls, text: str) -> StackArn | None:
        """The ARN in ``text``, or ``None`` when ``text`` is not one (a stack name or id)."""
        match = _ARN.match(text)
        if match is None:
            return None
        return cls(match["project"], match["name"], match["id"], match["resource"])
