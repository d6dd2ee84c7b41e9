"""The Query API's actions: ``Action=`` name → one handler, as moto dispatches them.

A handler takes the :class:`~calor.api.cfn.call.Call` and returns the ``<Action>Result``
body (``None`` for actions whose reply has only response metadata). Each action is
authorized first by its ``cloudformation:<Action>`` policy rule (:mod:`calor.api.policy`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from calor.api.cfn.actions import resources, stacks, templates
from calor.api.cfn.call import Call

Handler = Callable[[Call], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Action:
    handler: Handler
    mutating: bool = False
    """Mutations refuse a signature seen before (a replayed request)."""

    def rule(self, name: str) -> str:
        """The policy rule of the action: Heat's ``cloudformation:<Action>``."""
        return f"cloudformation:{name}"


ACTIONS: Mapping[str, Action] = {
    "CreateStack": Action(stacks.create_stack, mutating=True),
    "UpdateStack": Action(stacks.update_stack, mutating=True),
    "DeleteStack": Action(stacks.delete_stack, mutating=True),
    "CancelUpdateStack": Action(stacks.cancel_update_stack, mutating=True),
    "DescribeStacks": Action(stacks.describe_stacks),
    "ListStacks": Action(stacks.list_stacks),
    "GetTemplate": Action(stacks.get_template),
    "DescribeStackEvents": Action(resources.describe_stack_events),
    "DescribeStackResource": Action(resources.describe_stack_resource),
    "DescribeStackResources": Action(resources.describe_stack_resources),
    "ListStackResources": Action(resources.list_stack_resources),
    "ValidateTemplate": Action(templates.validate_template),
    "GetTemplateSummary": Action(templates.get_template_summary),
}
