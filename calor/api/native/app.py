"""The Flask application factory of Heat's v1 REST API (``heat-api``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from calor.api import auth, policy
from calor.api.errors import body_for_exception, error_body
from calor.api.fetching import Fetcher
from calor.api.native import (
    actions,
    events,
    resource_types,
    resources,
    service_info,
    software,
    stacks,
    state,
    templates,
    versions,
)
from calor.api.native.software_store import SoftwareStore
from calor.config import ApiConfig
from calor.engine.service import OrchestrationService
from calor.errors import CalorError, Forbidden
from calor.plugins.registry import PluginRegistry, default_registry

LOG = logging.getLogger(__name__)

ROUTE_MODULES = (
    versions,
    stacks,
    resources,
    events,
    actions,
    templates,
    resource_types,
    service_info,
    software,
)


def create_app(
    config: ApiConfig,
    service: OrchestrationService,
    *,
    registry: PluginRegistry | None = None,
    keystone: Mapping[str, Any] | None = None,
    software_store_path: Path | None = None,
) -> Flask:
    """Heat's v1 API on ``service``.

    With ``config.auth_strategy == "keystone"`` the WSGI app is wrapped in
    keystonemiddleware configured by ``keystone`` (its options, or
    ``{"oslo_config_config": conf}``); ``noauth`` trusts the X-Project-Id, X-User-Id and
    X-Roles headers. ``software_store_path`` keeps software configs and deployments in a
    JSON file (in memory when ``None``).
    """
    app = Flask("calor.api.native")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.strict_slashes = False
    state.install(
        app,
        state.ApiState(
            config=config,
            service=service,
            registry=registry or default_registry(),
            enforcer=policy.make_enforcer(config.policy_file),
            fetcher=Fetcher(
                max_size=config.max_template_size,
                timeout=config.template_fetch_timeout,
                allowed_hosts=config.template_fetch_allowed_hosts,
            ),
            software=SoftwareStore(software_store_path),
        ),
    )
    for module in ROUTE_MODULES:
        module.register(app)
    trust_headers = config.auth_strategy == "noauth"

    @app.before_request
    def authenticate() -> None:
        tenant_id = (request.view_args or {}).get("tenant_id")
        if request.url_rule is None or tenant_id is None:
            return
        caller = auth.context_from_environ(request.environ, trust_headers=trust_headers)
        g.calor_context = caller
        if tenant_id != caller.project_id and not caller.is_admin:
            raise Forbidden(f"The project {tenant_id} in the URL is not the project of the token.")

    @app.errorhandler(CalorError)
    def calor_error(error: CalorError) -> Response:
        return _error_response(error, config.debug)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        body = error_body(status, error.description or error.name, f"HTTP{error.name.replace(' ', '')}")
        response = state.json_response(body, status)
        if status == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        LOG.exception("unexpected error in %s %s", request.method, request.path)
        return _error_response(error, config.debug)

    if config.auth_strategy == "keystone":
        app.wsgi_app = auth.with_keystone(app.wsgi_app, keystone or {})  # type: ignore[method-assign,assignment]
    return app


def _error_response(error: BaseException, debug: bool) -> Response:
    """Heat's error body; keystonemiddleware adds ``WWW-Authenticate`` to a 401 itself."""
    status, body = body_for_exception(error, debug=debug)
    return state.json_response(body, status)
