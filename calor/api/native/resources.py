"""Resource routes: list (nested_depth, with_detail, filters), show (with attributes),
metadata, signal and mark-unhealthy."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, request

from calor.api.errors import BadRequest
from calor.api.native import state
from calor.api.native.listing import flag, nested_depth
from calor.api.request_body import read_body, read_json_object
from calor.db.records import StackRecord

STACK = "/v1/<tenant_id>/stacks/<stack_name>/<stack_id>"
RESOURCE = STACK + "/resources/<resource_name>"
RESOURCE_FILTERS = {
    "name": "resource_name",
    "type": "resource_type",
    "status": "resource_status",
    "id": "physical_resource_id",
    "action": "resource_action",
}


def resource_links(stack: StackRecord, resource_name: str) -> list[dict[str, str]]:
    stack_url = state.stack_url(stack)
    return [state.link(f"{stack_url}/resources/{resource_name}"), state.link(stack_url, "stack")]


def _with_links(stack: StackRecord, body: dict[str, Any]) -> dict[str, Any]:
    body["links"] = resource_links(stack, body["resource_name"])
    return body


def _stack_resources(
    stack: StackRecord, depth: int, detail: bool, parent: str | None
) -> list[dict[str, Any]]:
    service = state.api().service
    caller = state.context()
    bodies = service.list_resources(caller, stack.id)
    children = {child.owner_resource_name: child for child in service.repository.get_child_stacks(stack.id)}
    listed = []
    for body in bodies:
        if detail:
            body = service.show_resource(caller, stack.id, body["resource_name"])
        if parent is not None:
            body["parent_resource"] = parent
        _with_links(stack, body)
        child = children.get(body["resource_name"])
        if child is not None:
            body["links"].append(state.link(state.stack_url(child), "nested"))
        listed.append(body)
        if child is not None and depth > 0:
            listed.extend(_stack_resources(child, depth - 1, detail, body["resource_name"]))
    return listed


def list_resources(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("resource:index")
    stack = state.find_stack(stack_name, stack_id)
    args = request.args
    depth = nested_depth(args)
    listed = _stack_resources(stack, depth, flag(args, "with_detail"), None)
    for key, field in RESOURCE_FILTERS.items():
        accepted = set(args.getlist(key))
        if not accepted:
            continue
        if key == "status":
            listed = [
                body for body in listed if body[field].split("_")[-1] in accepted or body[field] in accepted
            ]
        elif key == "action":
            listed = [body for body in listed if body["resource_status"].rsplit("_", 1)[0] in accepted]
        else:
            listed = [body for body in listed if body.get(field) in accepted]
    return state.json_response({"resources": listed})


def show_resource(tenant_id: str, stack_name: str, stack_id: str, resource_name: str) -> Response:
    caller = state.authorize("resource:show")
    stack = state.find_stack(stack_name, stack_id)
    body = state.api().service.show_resource(caller, stack.id, resource_name)
    wanted = request.args.getlist("with_attr")
    if wanted:
        attributes = body.get("attributes", {})
        for name in wanted:
            attributes.setdefault(name, None)
    return state.json_response({"resource": _with_links(stack, body)})


def resource_metadata(tenant_id: str, stack_name: str, stack_id: str, resource_name: str) -> Response:
    caller = state.authorize("resource:metadata")
    stack = state.find_stack(stack_name, stack_id)
    body = state.api().service.show_resource(caller, stack.id, resource_name)
    return state.json_response({"metadata": body.get("metadata", {})})


def _signal_details() -> Any:
    """The signal's JSON body, of any JSON type (``None`` when empty)."""
    data = read_body(request, state.api().config.max_json_body_size)
    if not data.strip():
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"The request body is not valid JSON: {error}") from error


def signal_resource(tenant_id: str, stack_name: str, stack_id: str, resource_name: str) -> Response:
    caller = state.authorize("resource:signal")
    details = _signal_details()
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    state.api().service.signal_resource(caller, stack.id, resource_name, details)
    return state.json_response(None)


def mark_unhealthy(tenant_id: str, stack_name: str, stack_id: str, resource_name: str) -> Response:
    caller = state.authorize("resource:mark_unhealthy")
    body = read_json_object(request, state.api().config.max_json_body_size)
    if not isinstance(body.get("mark_unhealthy"), bool):
        raise BadRequest("The field 'mark_unhealthy' must be a boolean.")
    reason = body.get("resource_status_reason", "")
    if not isinstance(reason, str):
        raise BadRequest("The field 'resource_status_reason' must be a string.")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    state.api().service.mark_resource_unhealthy(
        caller, stack.id, resource_name, body["mark_unhealthy"], reason or None
    )
    return state.json_response(None)


def register(app: Flask) -> None:
    rules: list[tuple[str, Any, list[str]]] = [
        (STACK + "/resources", list_resources, ["GET"]),
        (RESOURCE, show_resource, ["GET"]),
        (RESOURCE, mark_unhealthy, ["PATCH"]),
        (RESOURCE + "/metadata", resource_metadata, ["GET"]),
        (RESOURCE + "/signal", signal_resource, ["POST"]),
    ]
    for rule, view, methods in rules:
        app.add_url_rule(rule, endpoint=rule + "|" + methods[0], view_func=view, methods=methods)
