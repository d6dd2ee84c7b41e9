"""Stack actions (suspend, resume, check, cancel_update, cancel_without_rollback) and snapshots
(create, list, show, delete, restore: queued for an engine, as Heat's bodies and statuses)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from calor.api.errors import BadRequest
from calor.api.native import state
from calor.api.request_body import read_json_object, string_field

STACK = "/v1/<tenant_id>/stacks/<stack_name>/<stack_id>"
ACTIONS = ("suspend", "resume", "check", "cancel_update", "cancel_without_rollback")


def stack_action(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    body = read_json_object(request, state.api().config.max_json_body_size)
    if len(body) != 1:
        raise BadRequest("Multiple actions specified" if body else "No action specified")
    action = next(iter(body))
    if action not in ACTIONS:
        raise BadRequest(f"Invalid action {action} specified")
    caller = state.authorize(f"actions:{action}")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    state.api().service.stack_action(caller, stack.id, action)
    return Response(status=202)


def list_snapshots(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:list_snapshots")
    stack = state.find_stack(stack_name, stack_id)
    return state.json_response({"snapshots": state.api().service.list_snapshots(caller, stack.id)})


def create_snapshot(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:snapshot")
    body = read_json_object(request, state.api().config.max_json_body_size, required=False)
    name = string_field(body, "name")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    return state.json_response(state.api().service.create_snapshot(caller, stack.id, name))


def show_snapshot(tenant_id: str, stack_name: str, stack_id: str, snapshot_id: str) -> Response:
    caller = state.authorize("stacks:show_snapshot")
    stack = state.find_stack(stack_name, stack_id)
    return state.json_response({"snapshot": state.api().service.show_snapshot(caller, stack.id, snapshot_id)})


def delete_snapshot(tenant_id: str, stack_name: str, stack_id: str, snapshot_id: str) -> Response:
    caller = state.authorize("stacks:delete_snapshot")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    state.api().service.delete_snapshot(caller, stack.id, snapshot_id)
    return state.no_content()


def restore_snapshot(tenant_id: str, stack_name: str, stack_id: str, snapshot_id: str) -> Response:
    caller = state.authorize("stacks:restore_snapshot")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    state.api().service.restore_snapshot(caller, stack.id, snapshot_id)
    return Response(status=202)


def register(app: Flask) -> None:
    rules: list[tuple[str, Any, str]] = [
        (STACK + "/actions", stack_action, "POST"),
        (STACK + "/snapshots", list_snapshots, "GET"),
        (STACK + "/snapshots", create_snapshot, "POST"),
        (STACK + "/snapshots/<snapshot_id>", show_snapshot, "GET"),
        (STACK + "/snapshots/<snapshot_id>", delete_snapshot, "DELETE"),
        (STACK + "/snapshots/<snapshot_id>/restore", restore_snapshot, "POST"),
    ]
    for rule, view, method in rules:
        app.add_url_rule(rule, endpoint=rule + "|" + method, view_func=view, methods=[method])
