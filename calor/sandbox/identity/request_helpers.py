"""What every identity request handler shares: the base URL, the caller's token, policy, JSON."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from calor.sandbox.identity.catalog import catalog_endpoints, render_catalog
from calor.sandbox.identity.config import IdentityConfig
from calor.sandbox.identity.errors import Forbidden, ValidationError
from calor.sandbox.identity.models import IdentityBackend, Token
from calor.sandbox.identity.serializers import token_roles

ADMIN_ROLE = "admin"
SERVICE_ROLE = "service"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def empty_response(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    response = Response(status=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def query_flag(name: str) -> bool:
    """Keystone's boolean query flags: present without a value, or a true-ish value."""
    if name not in request.args:
        return False
    return request.args.get(name, "").lower() not in ("0", "false", "no", "off")


def query_boolean(name: str) -> bool | None:
    if name not in request.args:
        return None
    return query_flag(name)


class RequestHelpers:
    """Base of the handler classes: the backend, the configuration and per-request helpers."""

    def __init__(self, backend: IdentityBackend, config: IdentityConfig) -> None:
        self.backend = backend
        self.config = config

    def base_url(self) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        return request.root_url.rstrip("/")

    def catalog(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """The catalog, with ``%(tenant_id)s``-style placeholders filled for ``project_id``."""
        endpoints = catalog_endpoints(self.config.endpoints, self.base_url() + "/v3")
        return render_catalog(endpoints, self.config.region, project_id)

    def json_body(self) -> dict[str, Any]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationError("The request body must be a JSON object.")
        return body

    def json_member(self, name: str) -> dict[str, Any]:
        member = self.json_body().get(name)
        if not isinstance(member, dict):
            raise ValidationError(f"Expecting to find {name} in the request body.")
        return member

    def caller(self) -> Token:
        """The valid token in X-Auth-Token, else 401."""
        return self.backend.authenticate_token(request.headers.get("X-Auth-Token"))

    def role_names(self, token: Token) -> set[str]:
        return {role.name for role in token_roles(self.backend, token)}

    def is_admin(self, token: Token) -> bool:
        """A cloud administrator: ``admin`` on the token's project (a domain-scoped token: on a
        project of the domain). ``admin`` granted on a domain makes a domain administrator only."""
        if token.project_id is None and token.domain_id is not None:
            return any(
                role.name == ADMIN_ROLE
                for project in self.backend.projects_of_user(token.user_id)
                if project.domain_id == token.domain_id
                for role in self.backend.effective_roles(token.user_id, project.id)
            )
        return ADMIN_ROLE in self.role_names(token)

    def administered_domain(self, token: Token) -> str | None:
        """The domain a domain-scoped token of that domain's administrator manages, else ``None``."""
        if token.project_id is not None or token.domain_id is None:
            return None
        return token.domain_id if self.backend.is_domain_admin(token.user_id, token.domain_id) else None

    def administers(self, token: Token, domain_id: str) -> bool:
        """Whether the token may manage what belongs to ``domain_id``."""
        return self.is_admin(token) or self.administered_domain(token) == domain_id

    def require_admin(self) -> Token:
        token = self.caller()
        if not self.is_admin(token):
            raise Forbidden()
        return token

    def require_admin_of(self, domain_id: str) -> Token:
        """A cloud administrator, or the administrator of ``domain_id``; else 403."""
        token = self.caller()
        if not self.administers(token, domain_id):
            raise Forbidden()
        return token

    def require_admin_or_user(self, user_id: str) -> Token:
        """The user themself, a cloud administrator or the administrator of the user's domain."""
        token = self.caller()
        if token.user_id == user_id or self.is_admin(token):
            return token
        domain = self.administered_domain(token)
        if domain is None or self.backend.get_user(user_id).domain_id != domain:
            raise Forbidden()
        return token
