"""``POST /v3/auth/tokens`` logic: identity methods (password, token) and scope (project, domain
or ``OS-TRUST:trust``), without HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from calor.sandbox.identity.errors import Forbidden, NotFound, Unauthorized, ValidationError
from calor.sandbox.identity.models import Domain, IdentityBackend, Token, User
from calor.sandbox.identity.records import now

SUPPORTED_METHODS = ("password", "token")
TRUST_SCOPE = "OS-TRUST:trust"


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"Invalid input for field '{name}': expected an object.")
    return value


def _domain(backend: IdentityBackend, reference: Any, name: str) -> Domain:
    """A domain given as ``{"id": ...}`` or ``{"name": ...}``."""
    reference = _mapping(reference, name)
    if "id" in reference:
        return backend.get_domain(str(reference["id"]))
    if "name" in reference:
        return backend.find_domain(str(reference["name"]))
    raise ValidationError(f"Expecting to find id or name in {name}.")


def _password_user(backend: IdentityBackend, password_method: Mapping[str, Any]) -> User:
    user_reference = _mapping(password_method.get("user"), "password.user")
    password = user_reference.get("password")
    if not isinstance(password, str):
        raise ValidationError("Expecting to find password in user.")
    try:
        if "id" in user_reference:
            user = backend.get_user(str(user_reference["id"]))
        elif "name" in user_reference:
            if "domain" not in user_reference:
                raise ValidationError("Expecting to find domain in user.")
            domain = _domain(backend, user_reference["domain"], "user.domain")
            user = backend.find_user(str(user_reference["name"]), domain.id)
        else:
            raise ValidationError("Expecting to find id or name in user.")
    except NotFound as error:
        raise Unauthorized("The request you have made requires authentication.") from error
    if not backend.check_password(user.id, password):
        raise Unauthorized("The request you have made requires authentication.")
    if not user.enabled:
        raise Unauthorized(f"The account is disabled for user: {user.id}.")
    return user


def _scope(backend: IdentityBackend, user: User, scope: Any) -> tuple[str | None, str | None]:
    """The (project id, domain id) a request asks for; both None when unscoped."""
    if scope is None or scope == "unscoped":
        return None, None
    scope = _mapping(scope, "scope")
    try:
        if "project" in scope:
            reference = _mapping(scope["project"], "scope.project")
            if "id" in reference:
                project = backend.get_project(str(reference["id"]))
            elif "name" in reference:
                if "domain" not in reference:
                    raise ValidationError("Expecting to find domain in project.")
                domain = _domain(backend, reference["domain"], "scope.project.domain")
                project = backend.find_project(str(reference["name"]), domain.id)
            else:
                raise ValidationError("Expecting to find id or name in project.")
            if not project.enabled:
                raise Unauthorized(f"Project {project.id} is disabled.")
            return project.id, None
        if "domain" in scope:
            domain = _domain(backend, scope["domain"], "scope.domain")
            if not domain.enabled:
                raise Unauthorized(f"Domain {domain.id} is disabled.")
            return None, domain.id
    except NotFound as error:
        raise Unauthorized(str(error)) from error
    raise ValidationError("The scope must name a project or a domain.")


def _check_scope_roles(
    backend: IdentityBackend, user: User, project_id: str | None, domain_id: str | None
) -> None:
    if project_id is not None and not backend.assigned_roles(user.id, project_id):
        raise Unauthorized(f"User {user.id} has no access to project {project_id}.")
    # A role on the domain, or (as before domain roles were kept) admin of a project in it.
    if (
        domain_id is not None
        and not backend.assigned_domain_roles(user.id, domain_id)
        and not any(
            role.name == "admin"
            for project in backend.projects_of_user(user.id)
            if project.domain_id == domain_id
            for role in backend.assigned_roles(user.id, project.id)
        )
    ):
        raise Unauthorized(f"User {user.id} has no access to domain {domain_id}.")


def authenticate(backend: IdentityBackend, body: Any) -> Token:
    """Check a v3 ``{"auth": {...}}`` body and issue the token it asks for."""
    auth = _mapping(_mapping(body, "body").get("auth"), "auth")
    identity = _mapping(auth.get("identity"), "auth.identity")
    methods = identity.get("methods")
    if not isinstance(methods, list) or not methods:
        raise ValidationError("Expecting to find methods in identity.")
    unsupported = [method for method in methods if method not in SUPPORTED_METHODS]
    if unsupported:
        raise Unauthorized(f"Attempted to authenticate with an unsupported method: {unsupported[0]}.")

    expires_at: datetime | None = None
    parent_audit_id: str | None = None
    if "password" in methods:
        user = _password_user(backend, _mapping(identity.get("password"), "identity.password"))
    else:
        token_reference = _mapping(identity.get("token"), "identity.token")
        original = backend.authenticate_token(str(token_reference.get("id", "")))
        if original.trust_id is not None:
            raise Forbidden("You are not authorized to perform the requested action: rescope a trust token.")
        user = backend.get_user(original.user_id)
        expires_at = original.expires_at
        parent_audit_id = original.audit_ids[0]

    scope = auth.get("scope")
    if isinstance(scope, Mapping) and TRUST_SCOPE in scope:
        return _trust_token(backend, user, scope[TRUST_SCOPE], methods, expires_at, parent_audit_id)
    project_id, domain_id = _scope(backend, user, scope)
    if scope is None and user.default_project_id is not None:
        # Like Keystone: no scope asked for, the user's default project if they have a role on it.
        try:
            project = backend.get_project(user.default_project_id)
            if project.enabled and backend.assigned_roles(user.id, project.id):
                project_id = project.id
        except NotFound:
            pass
    _check_scope_roles(backend, user, project_id, domain_id)
    return backend.issue_token(
        user.id,
        methods=methods,
        project_id=project_id,
        domain_id=domain_id,
        expires_at=expires_at,
        parent_audit_id=parent_audit_id,
    )


def _trust_token(
    backend: IdentityBackend,
    user: User,
    reference: Any,
    methods: list[str],
    expires_at: datetime | None,
    parent_audit_id: str | None,
) -> Token:
    """A token scoped to a trust, for its trustee: the trust's project and roles, and the trustor
    as the token's user when the trust impersonates (Keystone's rules and answers)."""
    trust_id = _mapping(reference, "scope.OS-TRUST:trust").get("id")
    if not trust_id:
        raise ValidationError("Expecting to find id in OS-TRUST:trust.")
    try:
        trust = backend.get_trust(str(trust_id))
    except NotFound as error:
        raise Unauthorized("The request you have made requires authentication.") from error
    if user.id != trust.trustee_user_id:
        raise Forbidden("User is not a trustee.")
    if not backend.get_user(trust.trustor_user_id).enabled:
        raise Forbidden("Trustor is disabled.")
    if trust.project_id is not None:
        if not backend.get_project(trust.project_id).enabled:
            raise Unauthorized(f"Project {trust.project_id} is disabled.")
        if not backend.trust_roles(trust):
            raise Forbidden("Trustee has no delegated roles.")
    trust = backend.consume_trust(trust.id)
    lifetime = expires_at or now() + backend.token_lifetime
    if trust.expires_at is not None and trust.expires_at < lifetime:
        lifetime = trust.expires_at
    return backend.issue_token(
        trust.trustor_user_id if trust.impersonation else trust.trustee_user_id,
        methods=methods,
        project_id=trust.project_id,
        expires_at=lifetime,
        parent_audit_id=parent_audit_id,
        trust_id=trust.id,
    )
