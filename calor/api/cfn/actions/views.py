"""Heat's stack, resource and event bodies → the members the Query API returns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from calor.api.cfn.identifiers import stack_arn


def aws_time(value: Any) -> str | None:
    """Heat's ``2016-10-05T13:21:42Z`` is already the ISO 8601 form AWS shows."""
    return str(value) if value else None


def arn_of(body: Mapping[str, Any], project_id: str) -> str:
    return stack_arn(str(body.get("project") or project_id), str(body["stack_name"]), str(body["id"]))


def tags_member(tags: Any) -> list[dict[str, str]]:
    """Heat's string tags as AWS's Key/Value pairs (``Key=Value``; a plain tag has an empty value)."""
    members = []
    for tag in tags or []:
        key, _, value = str(tag).partition("=")
        members.append({"Key": key, "Value": value})
    return members


def _parameter_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _output_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value)


def stack_member(body: Mapping[str, Any], project_id: str) -> dict[str, Any]:
    """One member of ``DescribeStacks``'s ``Stacks``."""
    parameters = body.get("parameters") or {}
    outputs = body.get("outputs") or []
    return {
        "StackId": arn_of(body, project_id),
        "StackName": body["stack_name"],
        "Description": body.get("description") or None,
        "Parameters": [
            {"ParameterKey": key, "ParameterValue": _parameter_value(value)}
            for key, value in parameters.items()
            if not str(key).startswith(("OS::", "AWS::"))
        ],
        "CreationTime": aws_time(body.get("creation_time")),
        "LastUpdatedTime": aws_time(body.get("updated_time")),
        "DeletionTime": aws_time(body.get("deletion_time")),
        "StackStatus": body["stack_status"],
        "StackStatusReason": body.get("stack_status_reason") or None,
        "DisableRollback": bool(body.get("disable_rollback")),
        "NotificationARNs": [],
        "TimeoutInMinutes": body.get("timeout_mins"),
        "Capabilities": list(body.get("capabilities") or []),
        "Outputs": [
            {
                "OutputKey": output.get("output_key"),
                "OutputValue": _output_value(output.get("output_value")),
                "Description": output.get("description"),
            }
            for output in outputs
        ],
        "Tags": tags_member(body.get("tags")),
    }


def stack_summary_member(body: Mapping[str, Any], project_id: str) -> dict[str, Any]:
    """One member of ``ListStacks``'s ``StackSummaries``."""
    return {
        "StackId": arn_of(body, project_id),
        "StackName": body["stack_name"],
        "TemplateDescription": body.get("description") or None,
        "CreationTime": aws_time(body.get("creation_time")),
        "LastUpdatedTime": aws_time(body.get("updated_time")),
        "DeletionTime": aws_time(body.get("deletion_time")),
        "StackStatus": body["stack_status"],
        "StackStatusReason": body.get("stack_status_reason") or None,
    }


def event_member(body: Mapping[str, Any], arn: str) -> dict[str, Any]:
    return {
        "StackId": arn,
        "EventId": body["id"],
        "StackName": body["stack_name"],
        "LogicalResourceId": body["logical_resource_id"],
        "PhysicalResourceId": body.get("physical_resource_id") or None,
        "ResourceType": body.get("resource_type") or "AWS::CloudFormation::Stack",
        "Timestamp": aws_time(body.get("event_time")),
        "ResourceStatus": body["resource_status"],
        "ResourceStatusReason": body.get("resource_status_reason") or None,
    }


def resource_member(body: Mapping[str, Any], arn: str) -> dict[str, Any]:
    """One member of ``DescribeStackResources``."""
    return {
        "StackName": body["stack_name"],
        "StackId": arn,
        "LogicalResourceId": body["logical_resource_id"],
        "PhysicalResourceId": body.get("physical_resource_id") or None,
        "ResourceType": body["resource_type"],
        "Timestamp": aws_time(body.get("updated_time")),
        "ResourceStatus": body["resource_status"],
        "ResourceStatusReason": body.get("resource_status_reason") or None,
    }


def resource_summary_member(body: Mapping[str, Any]) -> dict[str, Any]:
    """One member of ``ListStackResources``'s ``StackResourceSummaries``."""
    return {
        "LogicalResourceId": body["logical_resource_id"],
        "PhysicalResourceId": body.get("physical_resource_id") or None,
        "ResourceType": body["resource_type"],
        "LastUpdatedTimestamp": aws_time(body.get("updated_time")),
        "ResourceStatus": body["resource_status"],
        "ResourceStatusReason": body.get("resource_status_reason") or None,
    }


def resource_detail(body: Mapping[str, Any], arn: str) -> dict[str, Any]:
    """``DescribeStackResource``'s ``StackResourceDetail``, with the metadata as JSON text."""
    return {
        "StackName": body["stack_name"],
        "StackId": arn,
        "LogicalResourceId": body["logical_resource_id"],
        "PhysicalResourceId": body.get("physical_resource_id") or None,
        "ResourceType": body["resource_type"],
        "LastUpdatedTimestamp": aws_time(body.get("updated_time")),
        "ResourceStatus": body["resource_status"],
        "ResourceStatusReason": body.get("resource_status_reason") or None,
        "Description": body.get("description") or None,
        "Metadata": json.dumps(body.get("metadata") or {}),
    }
