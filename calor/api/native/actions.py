"""Stack actions (suspend, resume, check, cancel_update, cancel_without_rollback) and snapshots.

The engine does not run these operations yet: a well-formed request for an existing
stack is answered with a 501 ``NotSupported`` error body.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from calor.api.errors import BadRequest
from calor.api.native import state
from calor.api.request_body import read_json_object, string_field
from calor.engine.service import NotSupportedYet
from calor.errors import NotFound

STACK = "/v1/<tenant_id>/stacks/<stack_name>/<stack_id>"
ACTIONS = ("suspend", "resume", "check", "cancel_update", "cancel_without_rollback")


def stack_action(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    body = read_json_object(request, state.api().config.max_json_body_size)
    if len(body) != 1:
        raise BadRequest("Multiple actions specified" if body else "No action specified")
    action = next(iter(body))
    if action not in ACTIONS:
        raise BadRequest(f"Invalid action {action} specified")
    state.authorize(f"actions:{action}")
    state.find_stack(stack_name, stack_id, show_deleted=False)
    raise NotSupportedYet(f"The stack action {action} is not supported yet.")


def list_snapshots(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("stacks:list_snapshots")
    state.find_stack(stack_name, stack_id)
    return state.json_response({"snapshots": []})


def create_snapshot(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("stacks:snapshot")
    body = read_json_object(request, state.api().config.max_json_body_size, required=False)
    string_field(body, "name")
    state.find_stack(stack_name, stack_id, show_deleted=False)
    raise NotSupportedYet("Stack snapshots are not supported yet.")


def _unknown_snapshot(snapshot_id: str) -> NotFound:
    return NotFound(f"The Snapshot ({snapshot_id}) could not be found.")


def show_snapshot(tenant_id: str, stack_name: str, stack_id: str, snapshot_id: str) -> Response:
    state.authorize("stacks:show_snapshot")
    state.find_stack(stack_name, stack_id)
    raise _unknown_snapshot(snapshot_id)


def delete_snapshot(tenant_id: str, stack_name: str, stack_id: str, snapshot_id: str) -> Response:
    state.authorize("stacks:delete_snapshot")
    state.find_stack(stack_name, stack_id)
    raise _unknown_snapshot(snapshot_id)


def restore_snapshot(tenant_id: str, stack_name: str, stack_id: str, snapshot_id: str) -> Response:
    state.authorize("stacks:restore_snapshot")
    state.find_stack(stack_name, stack_id)
    raise _unknown_snapshot(snapshot_id)


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
