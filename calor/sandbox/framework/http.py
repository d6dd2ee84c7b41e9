"""Serving a service's routes: authentication, faults and error rendering around each handler,
and the JSON response helpers handlers use."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, request

from calor.sandbox.framework.errors import SandboxError, Unauthorized, keystone_style
from calor.sandbox.framework.faults import FAULT_HEADER, Outcome, parse_rules
from calor.sandbox.framework.service import Route, SandboxContext, ServiceRequest, ServiceSpec


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def empty_response(status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unauthorized_response(error: SandboxError, identity_url: str | None = None) -> Response:
    """Keystonemiddleware's 401: Keystone's error body and where to authenticate."""
    response = keystone_style(error)
    if identity_url:
        response.headers["WWW-Authenticate"] = f'Keystone uri="{identity_url}"'
    return response


def service_base_url(context: SandboxContext, spec: ServiceSpec) -> str:
    root = context.config.public_url or request.root_url
    return root.rstrip("/") + spec.prefix


def make_view(spec: ServiceSpec, route: Route, context: SandboxContext) -> Callable[..., Response]:
    """The Flask view of one route: authenticate, inject faults, call, render errors."""

    def view(**values: Any) -> Response:
        try:
            caller = None
            if not route.public:
                caller = context.authenticator.authenticate(request.headers.get("X-Auth-Token"))
            outcome = Outcome()
            if route.operation is not None:
                header = request.headers.get(FAULT_HEADER) if context.config.fault_header else None
                outcome = context.faults.apply(route.operation, parse_rules(header) if header else [])
            service_request = ServiceRequest(
                request._get_current_object(),  # type: ignore[attr-defined]
                caller,
                service_base_url(context, spec),
                outcome.error_state,
            )
            return route.handler(service_request, **values)
        except Unauthorized as error:
            return unauthorized_response(error)
        except SandboxError as error:
            return spec.error_style(error)

    view.__name__ = f"{spec.name}_{route.handler.__name__}_{'_'.join(route.methods).lower()}"
    return view
