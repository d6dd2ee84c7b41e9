"""The sandbox cloud's own control API at ``/calor-sandbox`` (not in the catalog).

``GET /calor-sandbox/faults`` shows the standing fault rules and latency; ``PUT`` replaces
them with ``{"rules": ["compute.server.create=error", ...], "latency": {"compute.*": 0.2}}``;
``DELETE`` clears them. Changing them needs an admin token. Functional tests use this to
inject faults into calls they do not make themselves (the engine's).
"""

from __future__ import annotations

from flask import Response

from calor.sandbox.framework.errors import BadRequest, Forbidden, keystone_style
from calor.sandbox.framework.faults import parse_rules
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.service import Route, SandboxContext, ServiceParts, ServiceRequest, ServiceSpec


class ControlResponses:
    def __init__(self, context: SandboxContext) -> None:
        self.context = context

    def _require_admin(self, request: ServiceRequest) -> None:
        if not request.authenticated.is_admin:
            raise Forbidden("Only an administrator may change the sandbox's faults.")

    def show_faults(self, request: ServiceRequest) -> Response:
        faults = self.context.faults
        return json_response({"rules": [rule.text for rule in faults.rules], "latency": dict(faults.latency)})

    def replace_faults(self, request: ServiceRequest) -> Response:
        self._require_admin(request)
        body = request.json()
        rules = body.get("rules", [])
        latency = body.get("latency", {})
        if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
            raise BadRequest("'rules' must be a list of fault rule strings.")
        if not isinstance(latency, dict) or not all(
            isinstance(seconds, int | float) and not isinstance(seconds, bool) for seconds in latency.values()
        ):
            raise BadRequest("'latency' must map operation patterns to seconds.")
        self.context.faults.replace(
            parse_rules(rules), {str(key): float(value) for key, value in latency.items()}
        )
        return self.show_faults(request)

    def clear_faults(self, request: ServiceRequest) -> Response:
        self._require_admin(request)
        self.context.faults.replace([], {})
        return empty_response(204)


def build(context: SandboxContext) -> ServiceParts:
    control = ControlResponses(context)
    routes = [
        Route("/faults", ("GET",), control.show_faults),
        Route("/faults", ("PUT",), control.replace_faults),
        Route("/faults", ("DELETE",), control.clear_faults),
    ]
    return ServiceParts(control, routes)


CONTROL = ServiceSpec(
    name="calor-sandbox",
    service_type="calor-sandbox",
    catalog_name="calor-sandbox",
    prefix="/calor-sandbox",
    catalog_path="/calor-sandbox",
    error_style=keystone_style,
    build=build,
)
