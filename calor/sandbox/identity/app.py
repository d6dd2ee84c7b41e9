"""The Flask WSGI application factory of the embedded identity service."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from calor.sandbox.identity.admin_responses import AdminResponses
from calor.sandbox.identity.bootstrap import bootstrap
from calor.sandbox.identity.config import IdentityConfig
from calor.sandbox.identity.credential_responses import CredentialResponses
from calor.sandbox.identity.errors import IdentityError
from calor.sandbox.identity.models import IdentityBackend
from calor.sandbox.identity.request_helpers import json_response
from calor.sandbox.identity.responses import IdentityResponses
from calor.sandbox.identity.routes import url_table
from calor.sandbox.identity.trust_responses import TrustResponses

BACKEND_EXTENSION = "calor.identity.backend"


def error_response(status: int, title: str, message: str, base_url: str) -> Response:
    """Keystone's error body; a 401 also names where to authenticate."""
    headers = {"WWW-Authenticate": f'Keystone uri="{base_url}/v3"'} if status == 401 else None
    body = {"error": {"code": status, "title": title, "message": message}}
    return json_response(body, status=status, headers=headers)


def create_app(config: IdentityConfig, backend: IdentityBackend | None = None) -> Flask:
    """A WSGI app serving the Keystone v3 subset on ``config.state_dir``'s state.

    The backend is opened on the state directory unless given; with both bootstrap
    passwords in ``config`` the ``admin`` and ``demo`` principals are created if absent.
    """
    if backend is None:
        backend = IdentityBackend.open(
            config.state_dir,
            token_lifetime=timedelta(seconds=config.token_lifetime_seconds),
            password_rounds=config.password_rounds,
        )
    if config.admin_password is not None and config.demo_password is not None:
        bootstrap(
            backend,
            admin_password=config.admin_password,
            demo_password=config.demo_password,
            stack_domain_admin_password=config.stack_domain_admin_password,
        )

    app = Flask("calor.sandbox.identity")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[BACKEND_EXTENSION] = backend
    identity = IdentityResponses(backend, config)
    admin = AdminResponses(backend, config)
    trusts = TrustResponses(backend, config)
    credentials = CredentialResponses(backend, config)
    for route in url_table(identity, admin, trusts, credentials):
        endpoint = f"{route.handler.__name__}_{'_'.join(route.methods).lower()}"
        app.add_url_rule(route.rule, endpoint=endpoint, view_func=route.handler, methods=list(route.methods))
    app.url_map.strict_slashes = False

    @app.errorhandler(IdentityError)
    def identity_error(error: IdentityError) -> Response:
        return error_response(error.http_status, error.title, error.message, identity.base_url())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        return error_response(status, error.name, error.description or error.name, identity.base_url())

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers["x-openstack-request-id"] = f"req-{uuid.uuid4()}"
        response.headers["Vary"] = "X-Auth-Token"
        if request.method == "HEAD":
            response.headers.pop("Content-Type", None)
        return response

    return app


def backend_of(app: Flask) -> IdentityBackend:
    """The backend an app made by :func:`create_app` serves."""
    backend = app.extensions[BACKEND_EXTENSION]
    assert isinstance(backend, IdentityBackend)
    return backend
