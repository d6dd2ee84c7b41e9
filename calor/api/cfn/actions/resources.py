"""DescribeStackResource, DescribeStackResources, ListStackResources, DescribeStackEvents.

DescribeStackResource carries the resource's ``Metadata`` (``AWS::CloudFormation::Init``
included): what cfn-init, cfn-get-metadata and cfn-hup read from inside an instance.
A stack user (the key pair of a wait condition handle or of a server's agent) may call it
alone, on its own stack only: policy and the service's stack lookup decide.
"""

from __future__ import annotations

from typing import Any

from calor.api.cfn.actions.stacks import find_stack
from calor.api.cfn.actions.views import (
    event_member,
    resource_detail,
    resource_member,
    resource_summary_member,
)
from calor.api.cfn.call import Call, page
from calor.api.cfn.errors import ValidationError
from calor.api.cfn.identifiers import stack_arn
from calor.db.records import StackRecord
from calor.errors import NotFound


def _arn(stack: StackRecord) -> str:
    return stack_arn(stack.project_id, stack.name, stack.id)


def describe_stack_resource(call: Call) -> dict[str, Any]:
    stack = find_stack(call, call.required("StackName"))
    name = call.required("LogicalResourceId")
    try:
        body = call.state.service.show_resource(call.context, stack.id, name)
    except NotFound as error:
        raise ValidationError(f"Resource {name} does not exist for stack {stack.name}") from error
    return {"StackResourceDetail": resource_detail(body, _arn(stack))}


def describe_stack_resources(call: Call) -> dict[str, Any]:
    name = call.get("StackName")
    physical_id = call.get("PhysicalResourceId")
    if name is None and physical_id is None:
        raise ValidationError("Either StackName or PhysicalResourceId must be specified.")
    if name is not None and physical_id is not None:
        raise ValidationError("You cannot specify both StackName and PhysicalResourceId.")
    if name is not None:
        stack = find_stack(call, name)
    else:
        assert physical_id is not None
        found = call.state.service.repository.find_resources_by_physical_id(
            physical_id, None if call.context.is_admin else call.context.project_id
        )
        if not found:
            raise ValidationError(f"The specified PhysicalResourceId {physical_id} doesn't exist")
        stack = find_stack(call, found[0].stack_id)
    logical = call.get("LogicalResourceId")
    bodies = call.state.service.list_resources(call.context, stack.id)
    return {
        "StackResources": [
            resource_member(body, _arn(stack))
            for body in bodies
            if logical is None or body["logical_resource_id"] == logical
        ]
    }


def list_stack_resources(call: Call) -> dict[str, Any]:
    stack = find_stack(call, call.required("StackName"))
    bodies = call.state.service.list_resources(call.context, stack.id)
    chunk, following = page(bodies, call.get("NextToken"), call.state.page_size)
    return {
        "StackResourceSummaries": [resource_summary_member(body) for body in chunk],
        "NextToken": following,
    }


def describe_stack_events(call: Call) -> dict[str, Any]:
    stack = find_stack(call, call.required("StackName"))
    bodies = call.state.service.list_events(call.context, stack.id, sort_dir="desc")
    chunk, following = page(bodies, call.get("NextToken"), call.state.page_size)
    arn = _arn(stack)
    return {"StackEvents": [event_member(body, arn) for body in chunk], "NextToken": following}
