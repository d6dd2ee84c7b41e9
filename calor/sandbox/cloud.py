"""The sandbox cloud's WSGI app: every emulated OpenStack service under one port.

Services are mounted at devstack's path prefixes (``/compute``, ``/image``, ``/network``,
``/volume``, ``/object-store``). To add a service, write a package exporting
``SERVICE: ServiceSpec`` (see :mod:`calor.sandbox.framework.service`) and add its module name
to :data:`SERVICE_MODULES` below - that one line is the registration point. The control API
(:mod:`calor.sandbox.framework.control`, fault rules at run time) is always mounted at
``/calor-sandbox``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from calor.sandbox.framework.auth import Authenticator, IdentityAuthenticator
from calor.sandbox.framework.config import SandboxConfig
from calor.sandbox.framework.control import CONTROL
from calor.sandbox.framework.errors import SandboxError, keystone_style
from calor.sandbox.framework.faults import FaultInjector, parse_rules
from calor.sandbox.framework.http import make_view
from calor.sandbox.framework.ids import new_request_id
from calor.sandbox.framework.quotas import Quotas
from calor.sandbox.framework.service import SandboxContext, ServiceSpec
from calor.sandbox.framework.store import StateStore
from calor.sandbox.identity import Endpoint, IdentityBackend

SERVICE_MODULES: tuple[str, ...] = (
    "calor.sandbox.compute",
    "calor.sandbox.image",
    "calor.sandbox.network",
    "calor.sandbox.volume",
    "calor.sandbox.object_store",
)
"""The registration table: one module per service, each exporting ``SERVICE``."""

CONTEXT_EXTENSION = "calor.sandbox.context"
IDENTITY_PREFIX = "/identity"


def load_services(modules: Iterable[str] = SERVICE_MODULES) -> list[ServiceSpec]:
    services: list[ServiceSpec] = []
    for module_name in modules:
        spec = importlib.import_module(module_name).SERVICE
        assert isinstance(spec, ServiceSpec), f"{module_name}.SERVICE is not a ServiceSpec"
        services.append(spec)
    return services


def catalog_endpoints(base_url: str, services: Sequence[ServiceSpec] | None = None) -> list[Endpoint]:
    """The catalog entries of the served services, for the identity service's configuration."""
    root = base_url.rstrip("/")
    return [
        Endpoint(spec.service_type, spec.catalog_name, root + spec.catalog_path)
        for spec in (load_services() if services is None else services)
    ]


def create_context(config: SandboxConfig, authenticator: Authenticator | None = None) -> SandboxContext:
    """The shared state of the services: store, authenticator, faults, quotas."""
    store = StateStore.open(config.state_dir)
    if authenticator is None:
        identity_dir = config.identity_state_dir or config.state_dir
        authenticator = IdentityAuthenticator(IdentityBackend.open(identity_dir))
    faults = FaultInjector(parse_rules(config.faults), config.latency)
    return SandboxContext(config, store, authenticator, faults, Quotas(store, config.quotas))


def _error_style_for(path: str, services: Sequence[ServiceSpec]) -> ServiceSpec | None:
    for spec in services:
        if path == spec.prefix or path.startswith(spec.prefix + "/"):
            return spec
    return None


def create_app(
    config: SandboxConfig,
    *,
    authenticator: Authenticator | None = None,
    services: Sequence[ServiceSpec] | None = None,
) -> Flask:
    """A WSGI app serving every registered service on ``config.state_dir``'s state. Tokens are
    checked against the identity backend on ``config.identity_state_dir`` unless an
    ``authenticator`` is given."""
    specs = load_services() if services is None else list(services)
    context = create_context(config, authenticator)
    app = Flask("calor.sandbox")
    # Object names may contain "//"; merging slashes would redirect and rename them.
    app.url_map.merge_slashes = False
    app.extensions[CONTEXT_EXTENSION] = context
    app.url_map.strict_slashes = False
    for spec in [*specs, CONTROL]:
        context.quotas.register_defaults(spec.quota_defaults)
        parts = spec.build(context)
        context.backends[spec.name] = parts.backend
        for index, route in enumerate(parts.routes):
            view = make_view(spec, route, context)
            app.add_url_rule(
                spec.prefix + route.rule,
                endpoint=f"{view.__name__}_{index}",
                view_func=view,
                methods=list(route.methods),
            )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        failure = SandboxError(error.description or error.name, status=status)
        spec = _error_style_for(request.path, [*specs, CONTROL])
        return keystone_style(failure) if spec is None else spec.error_style(failure)

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers["x-openstack-request-id"] = new_request_id()
        # Swift answers HEAD on an object with its Content-Type; the other services send none.
        if request.method == "HEAD" and not request.path.startswith("/object-store"):
            response.headers.pop("Content-Type", None)
        return response

    return app


def mount_identity(app: Flask, identity_app: Flask, prefix: str = IDENTITY_PREFIX) -> None:
    """Serve the identity app under ``prefix`` on the sandbox's port, as devstack does
    (``http://host/identity/v3``)."""
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {prefix: identity_app})  # type: ignore[method-assign]


def context_of(app: Flask) -> SandboxContext:
    """The shared context (store, backends, faults, quotas) of an app made by :func:`create_app`."""
    context = app.extensions[CONTEXT_EXTENSION]
    assert isinstance(context, SandboxContext)
    return context
