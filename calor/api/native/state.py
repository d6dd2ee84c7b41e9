"""What every route of the native API reaches: the service, settings, policy and helpers.

:class:`ApiState` lives in the Flask app's extensions; the caller's
:class:`~calor.engine.service.RequestContext` in ``flask.g`` for the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from oslo_policy import policy

from calor.api import policy as api_policy
from calor.api.fetching import Fetcher
from calor.api.native.software_store import SoftwareStore
from calor.config import ApiConfig
from calor.db.records import StackRecord
from calor.engine.service import OrchestrationService, RequestContext
from calor.plugins.registry import PluginRegistry

STATE_EXTENSION = "calor.api.native"


@dataclass
class ApiState:
    """The app's collaborators."""

    config: ApiConfig
    service: OrchestrationService
    registry: PluginRegistry
    enforcer: policy.Enforcer
    fetcher: Fetcher
    software: SoftwareStore


def install(app: Flask, state: ApiState) -> None:
    app.extensions[STATE_EXTENSION] = state


def api() -> ApiState:
    state = current_app.extensions[STATE_EXTENSION]
    assert isinstance(state, ApiState)
    return state


def context() -> RequestContext:
    found = g.get("calor_context")
    assert isinstance(found, RequestContext)
    return found


def authorize(rule: str, target: dict[str, Any] | None = None) -> RequestContext:
    """Check ``rule`` for the caller (403 when refused); gives the caller's context."""
    caller = context()
    api_policy.authorize(api().enforcer, rule, caller, target)
    return caller


def find_stack(stack_name: str, stack_id: str, *, show_deleted: bool = True) -> StackRecord:
    """The stack a ``/stacks/{name}/{id}`` URL names (404 when it is not the caller's)."""
    return api().service.find_stack(context(), stack_id, show_deleted=show_deleted)


def base_url(tenant_id: str) -> str:
    return f"{request.host_url.rstrip('/')}/v1/{tenant_id}"


def stack_url(stack: StackRecord) -> str:
    return f"{base_url(stack.project_id)}/stacks/{stack.name}/{stack.id}"


def link(href: str, relation: str = "self") -> dict[str, str]:
    return {"href": href, "rel": relation}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def no_content() -> Response:
    return Response(status=204)
