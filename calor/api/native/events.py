"""Event routes: a stack's events (nested_depth), a resource's events, one event."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from calor.api.native import state
from calor.api.native.listing import event_list_options, nested_depth
from calor.db.records import EventRecord, StackRecord
from calor.engine import views
from calor.errors import NotFound

STACK = "/v1/<tenant_id>/stacks/<stack_name>/<stack_id>"
RESOURCE = STACK + "/resources/<resource_name>"


def event_body(event: EventRecord, stack: StackRecord) -> dict[str, Any]:
    body = views.event_body(event, stack)
    stack_url = state.stack_url(stack)
    resource_url = f"{stack_url}/resources/{event.resource_name}"
    body["links"] = [
        state.link(f"{resource_url}/events/{event.uuid}"),
        state.link(resource_url, "resource"),
        state.link(stack_url, "stack"),
    ]
    return body


def _stacks_below(stack: StackRecord, depth: int) -> list[StackRecord]:
    found = [stack]
    if depth > 0:
        for child in state.api().service.repository.get_child_stacks(stack.id):
            found.extend(_stacks_below(child, depth - 1))
    return found


def _events(stack: StackRecord, resource_name: str | None) -> list[dict[str, Any]]:
    options = event_list_options(request.args)
    depth = nested_depth(request.args) if resource_name is None else 0
    stacks = {found.id: found for found in _stacks_below(stack, depth)}
    if resource_name is not None:
        state.api().service.show_resource(state.context(), stack.id, resource_name)
    events = state.api().service.repository.list_events(list(stacks), resource_name=resource_name, **options)
    return [event_body(event, stacks[event.stack_id]) for event in events]


def list_events(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("events:index")
    stack = state.find_stack(stack_name, stack_id)
    return state.json_response({"events": _events(stack, None)})


def list_resource_events(tenant_id: str, stack_name: str, stack_id: str, resource_name: str) -> Response:
    state.authorize("events:index")
    stack = state.find_stack(stack_name, stack_id)
    return state.json_response({"events": _events(stack, resource_name)})


def show_event(tenant_id: str, stack_name: str, stack_id: str, resource_name: str, event_id: str) -> Response:
    state.authorize("events:show")
    stack = state.find_stack(stack_name, stack_id)
    event = state.api().service.repository.get_event(stack.id, event_id)
    if event is None or event.resource_name != resource_name:
        raise NotFound(f"The Event ({event_id}) could not be found.")
    body = event_body(event, stack)
    body["resource_properties"] = dict(event.resource_properties or {})
    return state.json_response({"event": body})


def register(app: Flask) -> None:
    rules: list[tuple[str, Any]] = [
        (STACK + "/events", list_events),
        (RESOURCE + "/events", list_resource_events),
        (RESOURCE + "/events/<event_id>", show_event),
    ]
    for rule, view in rules:
        app.add_url_rule(rule, endpoint=rule, view_func=view, methods=["GET"])
