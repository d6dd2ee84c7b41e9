"""How a service plugs into the sandbox cloud: its :class:`ServiceSpec`, its routes and the
:class:`ServiceRequest` every handler receives.

A service package (``calor.sandbox.compute``) exports ``SERVICE = ServiceSpec(...)``; its
``build(context)`` makes the backend (models, no HTTP) and the handlers and returns
:class:`ServiceParts`. The cloud mounts each route under the service's prefix, authenticates
the caller (unless the route is ``public``), applies latency and faults for the route's
``operation``, and renders :class:`~calor.sandbox.framework.errors.SandboxError` in the
service's error style. Backends reach each other through :meth:`SandboxContext.backend`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Request, Response

from calor.sandbox.framework.auth import Authenticator, Caller
from calor.sandbox.framework.config import SandboxConfig
from calor.sandbox.framework.errors import BadRequest, ErrorStyle
from calor.sandbox.framework.faults import FaultInjector
from calor.sandbox.framework.quotas import Quotas
from calor.sandbox.framework.store import StateStore


@dataclass
class ServiceRequest:
    """One request as a handler sees it. ``caller`` is None only on public routes;
    ``error_state`` is set by fault injection: the resource must end in ``ERROR``."""

    http: Request
    caller: Caller | None
    base_url: str
    error_state: bool = False

    @property
    def authenticated(self) -> Caller:
        assert self.caller is not None, "a public route has no caller"
        return self.caller

    @property
    def project_id(self) -> str:
        return self.authenticated.project_id

    def json(self) -> dict[str, Any]:
        """The JSON object body, else :class:`BadRequest`."""
        try:
            body = json.loads(self.http.get_data(as_text=True) or "null")
        except ValueError as error:
            raise BadRequest("Malformed request body.") from error
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        return body

    def member(self, name: str) -> dict[str, Any]:
        """``body[name]`` as an object, else :class:`BadRequest`."""
        value = self.json().get(name)
        if not isinstance(value, dict):
            raise BadRequest(f"Invalid input: '{name}' is a required property.")
        return value

    def argument(self, name: str) -> str | None:
        return self.http.args.get(name)


Handler = Callable[..., Response]
"""``handler(request: ServiceRequest, **url_values) -> Response``."""


@dataclass(frozen=True)
class Route:
    """``rule`` is relative to the service prefix (``/v2.1/servers/<server_id>``); ``operation``
    names the call for latency and faults (None: never injected); ``public`` routes need no token."""

    rule: str
    methods: tuple[str, ...]
    handler: Handler
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True)
class ServiceParts:
    backend: object
    routes: Sequence[Route]


@dataclass
class SandboxContext:
    """What every service's ``build`` gets: configuration, state, auth, faults, quotas and
    the other services' backends (filled as services are built; look them up per call)."""

    config: SandboxConfig
    store: StateStore
    authenticator: Authenticator
    faults: FaultInjector
    quotas: Quotas
    backends: dict[str, object] = field(default_factory=dict)

    def backend(self, name: str) -> object | None:
        """Another service's backend by service name (``network``), or None when not served."""
        return self.backends.get(name)


@dataclass(frozen=True)
class ServiceSpec:
    """A service of the sandbox cloud.

    ``name`` is its key (``compute``, also the first part of its operation names);
    ``service_type`` and ``catalog_name`` its catalog entry; ``prefix`` where it is mounted
    (``/compute``); ``catalog_path`` the endpoint path put in the catalog (``/compute/v2.1``);
    ``error_style`` renders its errors; ``quota_defaults`` are its default limits."""

    name: str
    service_type: str
    catalog_name: str
    prefix: str
    catalog_path: str
    error_style: ErrorStyle
    build: Callable[[SandboxContext], ServiceParts]
    quota_defaults: Mapping[str, int] = field(default_factory=dict)
