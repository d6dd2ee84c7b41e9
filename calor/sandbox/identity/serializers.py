"""Keystone v3 JSON shapes of the identity records and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from calor.sandbox.identity.models import (
    Domain,
    Ec2Credential,
    IdentityBackend,
    Project,
    Role,
    RoleAssignment,
    Token,
    User,
)

API_VERSION = "v3.14"
API_UPDATED = "2020-04-07T00:00:00Z"
MEDIA_TYPE = "application/vnd.openstack.identity-v3+json"


def timestamp(moment: datetime) -> str:
    """Keystone's form: ``2015-11-05T22:00:11.000000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def version_view(base_url: str) -> dict[str, Any]:
    return {
        "id": API_VERSION,
        "status": "stable",
        "updated": API_UPDATED,
        "links": [{"rel": "self", "href": f"{base_url}/v3/"}],
        "media-types": [{"base": "application/json", "type": MEDIA_TYPE}],
    }


def collection_links(url: str) -> dict[str, Any]:
    return {"self": url, "previous": None, "next": None}


def domain_view(domain: Domain, base_url: str) -> dict[str, Any]:
    return {
        "id": domain.id,
        "name": domain.name,
        "description": domain.description,
        "enabled": domain.enabled,
        "tags": [],
        "options": {},
        "links": {"self": f"{base_url}/v3/domains/{domain.id}"},
    }


def project_view(project: Project, base_url: str) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "description": project.description,
        "enabled": project.enabled,
        "parent_id": project.domain_id,
        "is_domain": False,
        "tags": [],
        "options": {},
        "links": {"self": f"{base_url}/v3/projects/{project.id}"},
    }


def user_view(user: User, base_url: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "domain_id": user.domain_id,
        "enabled": user.enabled,
        "password_expires_at": None,
        "options": {},
        "links": {"self": f"{base_url}/v3/users/{user.id}"},
    }
    if user.default_project_id is not None:
        view["default_project_id"] = user.default_project_id
    if user.email is not None:
        view["email"] = user.email
    if user.description:
        view["description"] = user.description
    return view


def role_view(role: Role, base_url: str) -> dict[str, Any]:
    return {
        "id": role.id,
        "name": role.name,
        "domain_id": None,
        "description": role.description or None,
        "options": {},
        "links": {"self": f"{base_url}/v3/roles/{role.id}"},
    }


def role_assignment_view(
    assignment: RoleAssignment, backend: IdentityBackend, base_url: str, *, include_names: bool
) -> dict[str, Any]:
    role: dict[str, Any] = {"id": assignment.role_id}
    user: dict[str, Any] = {"id": assignment.user_id}
    project: dict[str, Any] = {"id": assignment.project_id}
    if include_names:
        role["name"] = backend.get_role(assignment.role_id).name
        user_record = backend.get_user(assignment.user_id)
        domain = backend.get_domain(user_record.domain_id)
        user.update(name=user_record.name, domain={"id": domain.id, "name": domain.name})
        project_record = backend.get_project(assignment.project_id)
        project_domain = backend.get_domain(project_record.domain_id)
        project.update(
            name=project_record.name, domain={"id": project_domain.id, "name": project_domain.name}
        )
    path = f"/v3/projects/{assignment.project_id}/users/{assignment.user_id}/roles/{assignment.role_id}"
    return {
        "role": role,
        "user": user,
        "scope": {"project": project},
        "links": {"assignment": base_url + path},
    }


def ec2_credential_view(credential: Ec2Credential, base_url: str) -> dict[str, Any]:
    return {
        "user_id": credential.user_id,
        "tenant_id": credential.project_id,
        "access": credential.access,
        "secret": credential.secret,
        "trust_id": None,
        "links": {"self": f"{base_url}/v3/users/{credential.user_id}/credentials/OS-EC2/{credential.access}"},
    }


def _domain_reference(backend: IdentityBackend, domain_id: str) -> dict[str, str]:
    domain = backend.get_domain(domain_id)
    return {"id": domain.id, "name": domain.name}


def token_roles(backend: IdentityBackend, token: Token) -> list[Role]:
    """The roles a token carries: effective roles on its project, or on its domain (granted on the
    domain, and those held on the domain's projects)."""
    if token.trust_id is not None:
        return backend.trust_roles(backend.get_trust(token.trust_id, counting_uses=False))
    if token.project_id is not None:
        return backend.effective_roles(token.user_id, token.project_id)
    if token.domain_id is not None:
        found: dict[str, Role] = {
            role.id: role for role in backend.effective_domain_roles(token.user_id, token.domain_id)
        }
        for project in backend.projects_of_user(token.user_id):
            if project.domain_id == token.domain_id:
                for role in backend.effective_roles(token.user_id, project.id):
                    found[role.id] = role
        return sorted(found.values(), key=lambda role: role.name)
    return []


def token_view(
    backend: IdentityBackend, token: Token, catalog: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """Keystone's ``{"token": {...}}`` body; ``catalog`` is left out when None or unscoped."""
    user = backend.get_user(token.user_id)
    body: dict[str, Any] = {
        "methods": list(token.methods),
        "user": {
            "id": user.id,
            "name": user.name,
            "domain": _domain_reference(backend, user.domain_id),
            "password_expires_at": None,
        },
        "audit_ids": list(token.audit_ids),
        "expires_at": timestamp(token.expires_at),
        "issued_at": timestamp(token.issued_at),
    }
    scoped = token.project_id is not None or token.domain_id is not None
    if token.project_id is not None:
        project = backend.get_project(token.project_id)
        body["project"] = {
            "id": project.id,
            "name": project.name,
            "domain": _domain_reference(backend, project.domain_id),
        }
        body["is_domain"] = False
    if token.domain_id is not None:
        body["domain"] = _domain_reference(backend, token.domain_id)
    if token.trust_id is not None:
        trust = backend.get_trust(token.trust_id, counting_uses=False)
        body["OS-TRUST:trust"] = {
            "id": trust.id,
            "trustor_user": {"id": trust.trustor_user_id},
            "trustee_user": {"id": trust.trustee_user_id},
            "impersonation": trust.impersonation,
        }
    if scoped:
        body["roles"] = [{"id": role.id, "name": role.name} for role in token_roles(backend, token)]
        if catalog is not None:
            body["catalog"] = catalog
    return {"token": body}
