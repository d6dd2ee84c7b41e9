"""CreateStack, UpdateStack, DeleteStack, CancelUpdateStack, DescribeStacks, ListStacks."""

from __future__ import annotations

import json
from typing import Any

from calor.api.cfn.actions.views import stack_member, stack_summary_member
from calor.api.cfn.call import Call, decode_token, encode_token
from calor.api.cfn.errors import (
    AlreadyExists,
    InvalidParameterCombination,
    MissingParameter,
    ValidationError,
)
from calor.api.cfn.identifiers import stack_arn, stack_identity
from calor.db.records import StackRecord
from calor.errors import StackNotFound

ON_FAILURE = ("DO_NOTHING", "ROLLBACK", "DELETE")
# What AWS's StackStatusFilter may name; Heat's other statuses pass through unchanged.
STATUS_FILTER_VALUES = frozenset(
    f"{action}_{status}"
    for action in ("CREATE", "DELETE", "UPDATE", "ROLLBACK", "UPDATE_ROLLBACK", "SUSPEND", "RESUME", "CHECK")
    for status in ("IN_PROGRESS", "FAILED", "COMPLETE")
)


def template_of(call: Call, *, required: bool = True) -> str | None:
    """TemplateBody, or the text fetched from TemplateURL (http(s), size and time limits).

    ``max_template_size`` and the other quotas are checked by the service
    (:mod:`calor.engine.admission`): ``RequestLimitExceeded``."""
    body = call.get("TemplateBody")
    url = call.get("TemplateURL")
    if body is not None and url is not None:
        raise ValidationError("You cannot specify both TemplateURL and TemplateBody.")
    if url is not None:
        return call.state.fetcher.fetch(url, "template")
    if body is None and required:
        raise ValidationError("Either Template URL or Template Body must be specified.")
    return body


def parameters_of(call: Call) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for member in call.members("Parameters"):
        key = member.get("ParameterKey")
        if not key:
            raise ValidationError("Every member of Parameters needs a ParameterKey.")
        if member.get("UsePreviousValue", "").lower() == "true":
            continue
        parameters[key] = member.get("ParameterValue", "")
    return parameters


def tags_of(call: Call) -> list[str]:
    """AWS's Key/Value tags as Heat's string tags: ``Key=Value`` (``Key`` alone for an empty value)."""
    tags = []
    for member in call.members("Tags"):
        key = member.get("Key")
        if not key:
            raise ValidationError("Every member of Tags needs a Key.")
        value = member.get("Value", "")
        tags.append(f"{key}={value}" if value else key)
    return tags


def disable_rollback_of(call: Call) -> bool:
    """DisableRollback or OnFailure (not both); AWS's default rolls a failed create back.

    ``OnFailure=DELETE`` rolls back too: the rollback deletes every resource created.
    """
    disable = call.boolean("DisableRollback")
    on_failure = call.get("OnFailure")
    if disable is not None and on_failure is not None:
        raise InvalidParameterCombination("You cannot specify both DisableRollback and OnFailure.")
    if on_failure is not None:
        if on_failure not in ON_FAILURE:
            raise ValidationError(
                f"1 validation error detected: Value '{on_failure}' at 'onFailure' failed to satisfy "
                "constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]"
            )
        return on_failure == "DO_NOTHING"
    return bool(disable)


def find_stack(call: Call, name_or_arn: str) -> StackRecord:
    """The caller's stack by name (live only), id or ARN (deleted ones too); AWS's error otherwise."""
    identity = stack_identity(name_or_arn)
    by_id = identity != name_or_arn or _looks_like_id(identity)
    try:
        return call.state.service.find_stack(call.context, identity, show_deleted=by_id)
    except StackNotFound as error:
        raise ValidationError(f"Stack with id {name_or_arn} does not exist") from error


def _looks_like_id(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def create_stack(call: Call) -> dict[str, Any]:
    name = call.required("StackName")
    template = template_of(call)
    assert template is not None
    existing = call.state.service.repository.find_stack(name, call.context.project_id)
    if existing is not None:
        raise AlreadyExists(f"Stack [{name}] already exists")
    call.member_list("Capabilities")
    call.member_list("NotificationARNs")
    stack_id = call.state.service.create_stack(
        call.context,
        name,
        template,
        parameters=parameters_of(call),
        timeout=call.integer("TimeoutInMinutes", minimum=1),
        disable_rollback=disable_rollback_of(call),
        tags=tags_of(call),
    )
    return {"StackId": stack_arn(call.context.project_id, name, stack_id)}


def update_stack(call: Call) -> dict[str, Any]:
    stack = find_stack(call, call.required("StackName"))
    template = template_of(call, required=call.boolean("UsePreviousTemplate") is not True)
    call.state.service.update_stack(
        call.context, stack.id, template, parameters=parameters_of(call), tags=tags_of(call)
    )
    return {"StackId": stack_arn(stack.project_id, stack.name, stack.id)}


def cancel_update_stack(call: Call) -> None:
    stack = find_stack(call, call.required("StackName"))
    if stack.state != ("UPDATE", "IN_PROGRESS"):
        raise ValidationError(
            f"CancelUpdateStack cannot be called from current stack status {stack.stack_status}."
        )
    call.state.service.stack_action(call.context, stack.id, "cancel_update")


def delete_stack(call: Call) -> None:
    name = call.required("StackName")
    try:
        stack = find_stack(call, name)
    except ValidationError:
        return None  # AWS: deleting a stack that does not exist succeeds
    if stack.deleted_at is not None or stack.stack_status == "DELETE_COMPLETE":
        return None
    call.state.service.delete_stack(call.context, stack.id)
    return None


def describe_stacks(call: Call) -> dict[str, Any]:
    service = call.state.service
    name = call.get("StackName")
    if name is not None:
        stack = find_stack(call, name)
        body = service.show_stack(call.context, stack.id)
        return {"Stacks": [stack_member(body, call.context.project_id)]}
    marker = decode_token(call.get("NextToken"))
    size = call.state.page_size
    summaries = service.list_stacks(call.context, limit=size + 1, marker=marker)
    following = None
    if len(summaries) > size:
        summaries = summaries[:size]
        following = encode_token(str(summaries[-1]["id"]))
    members = [
        stack_member(service.show_stack(call.context, summary["id"]), call.context.project_id)
        for summary in summaries
    ]
    return {"Stacks": members, "NextToken": following}


def list_stacks(call: Call) -> dict[str, Any]:
    statuses = call.member_list("StackStatusFilter")
    for status in statuses:
        if status not in STATUS_FILTER_VALUES:
            raise ValidationError(f"Invalid value for StackStatusFilter: {status}")
    marker = decode_token(call.get("NextToken"))
    size = call.state.page_size
    summaries = call.state.service.list_stacks(call.context, limit=size + 1, marker=marker, show_deleted=True)
    following = None
    if len(summaries) > size:
        summaries = summaries[:size]
        following = encode_token(str(summaries[-1]["id"]))
    if statuses:  # filtered after paging: a page may hold fewer stacks, as AWS allows
        wanted = set(statuses)
        summaries = [summary for summary in summaries if summary["stack_status"] in wanted]
    return {
        "StackSummaries": [stack_summary_member(summary, call.context.project_id) for summary in summaries],
        "NextToken": following,
    }


def get_template(call: Call) -> dict[str, Any]:
    name = call.get("StackName")
    if name is None:
        raise MissingParameter("The request must contain the parameter StackName")
    stack = find_stack(call, name)
    raw = (
        call.state.service.repository.get_raw_template(stack.raw_template_id)
        if stack.raw_template_id is not None
        else None
    )
    if raw is None:
        raise ValidationError(f"Stack with id {name} has no template")
    return {"TemplateBody": json.dumps(dict(raw.template), indent=2)}
