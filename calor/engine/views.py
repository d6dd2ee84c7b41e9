"""Stored records → the bodies Heat's v1 API returns (stacks, resources, events, outputs).

Times are Heat's ``2016-10-05T13:21:42Z``; statuses are combined (``CREATE_COMPLETE``)
as Heat's API shows them. Links are left to the API layer, which knows its own URL.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from calor.db.records import EventRecord, ResourceRecord, StackRecord


def heat_time(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stack_summary(stack: StackRecord, description: str = "") -> dict[str, Any]:
    """One stack as ``GET /stacks`` lists it."""
    return {
        "id": stack.id,
        "stack_name": stack.name,
        "description": description,
        "stack_status": stack.stack_status,
        "stack_status_reason": stack.status_reason,
        "creation_time": heat_time(stack.created_at),
        "updated_time": heat_time(stack.updated_at),
        "deletion_time": heat_time(stack.deleted_at),
        "stack_owner": stack.user_id,
        "stack_user_project_id": stack.stack_user_project_id or stack.project_id,
        "project": stack.project_id,
        "parent": stack.parent_id,
        "tags": list(stack.tags) or None,
    }


def stack_detail(
    stack: StackRecord,
    *,
    description: str,
    parameters: Mapping[str, Any],
    outputs: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """One stack as ``GET /stacks/{name}/{id}`` shows it."""
    body = stack_summary(stack, description)
    body.update(
        {
            "template_description": description,
            "parameters": {name: _parameter_text(value) for name, value in parameters.items()},
            "outputs": [dict(output) for output in outputs],
            "disable_rollback": stack.disable_rollback,
            "timeout_mins": stack.timeout_minutes,
            "capabilities": [],
            "notification_topics": [],
        }
    )
    return body


def _parameter_text(value: Any) -> Any:
    # Heat shows parameter values as the strings they were given in.
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def resource_body(
    resource: ResourceRecord, stack: StackRecord, *, required_by: Sequence[str] = ()
) -> dict[str, Any]:
    """One resource as ``GET /stacks/{name}/{id}/resources`` lists it."""
    return {
        "resource_name": resource.name,
        "logical_resource_id": resource.name,
        "physical_resource_id": resource.physical_resource_id or "",
        "resource_type": resource.type_name,
        "resource_status": f"{resource.action}_{resource.status}",
        "resource_status_reason": resource.status_reason,
        "creation_time": heat_time(resource.created_at),
        "updated_time": heat_time(resource.updated_at or resource.created_at),
        "required_by": list(required_by),
        "stack_name": stack.name,
        "stack_id": stack.id,
    }


def event_body(event: EventRecord, stack: StackRecord) -> dict[str, Any]:
    """One event as ``GET /stacks/{name}/{id}/events`` lists it."""
    return {
        "id": event.uuid,
        "event_time": heat_time(event.created_at),
        "resource_name": event.resource_name,
        "logical_resource_id": event.resource_name,
        "physical_resource_id": event.physical_resource_id or "",
        "resource_status": f"{event.resource_action}_{event.resource_status}",
        "resource_status_reason": event.resource_status_reason,
        "resource_type": event.resource_type,
        "stack_name": stack.name,
        "stack_id": stack.id,
    }
