"""Handlers of the identity resources: domains, projects, users, roles, grants, EC2 credentials."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from calor.sandbox.identity import serializers
from calor.sandbox.identity.bootstrap import DEFAULT_DOMAIN_ID
from calor.sandbox.identity.errors import Forbidden, NotFound, ValidationError
from calor.sandbox.identity.models import IMPLIED_ROLES, RoleAssignment
from calor.sandbox.identity.request_helpers import (
    ADMIN_ROLE,
    SERVICE_ROLE,
    RequestHelpers,
    empty_response,
    json_response,
    query_boolean,
    query_flag,
)


def _string(member: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = member.get(name)
    if value is None:
        if required:
            raise ValidationError(f"Expecting to find {name} in the request body.")
        return None
    if not isinstance(value, str) or (required and not value):
        raise ValidationError(f"Invalid input for field '{name}': expected a non-empty string.")
    return value


def _changes(member: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    changes = {name: member[name] for name in allowed if name in member}
    if "enabled" in changes and not isinstance(changes["enabled"], bool):
        raise ValidationError("Invalid input for field 'enabled': expected a boolean.")
    return changes


class AdminResponses(RequestHelpers):
    """CRUD on the identity records: cloud administrators anywhere, a domain's administrator in
    that domain (see :mod:`calor.sandbox.identity.domain_roles`), users on what is their own."""

    def _list(self, key: str, items: list[dict[str, Any]]) -> Response:
        return json_response({key: items, "links": serializers.collection_links(request.base_url)})

    def _listing_domain(self) -> str | None:
        """The ``domain_id`` filter of a project or user listing: a domain administrator's own domain."""
        token = self.caller()
        asked = request.args.get("domain_id")
        if self.is_admin(token):
            return asked
        domain = self.administered_domain(token)
        if domain is None or asked not in (None, domain):
            raise Forbidden()
        return domain

    def _require_grant_rights(self, project_id: str, user_id: str) -> None:
        """Grants on a project: a cloud administrator, or the administrator of the domain of both."""
        token = self.caller()
        if self.is_admin(token):
            return
        domain = self.administered_domain(token)
        project = self.backend.get_project(project_id)
        user = self.backend.get_user(user_id)
        if domain is None or project.domain_id != domain or user.domain_id != domain:
            raise Forbidden()

    # -- domains -------------------------------------------------------------------------------

    def list_domains(self) -> Response:
        self.require_admin()
        domains = self.backend.list_domains(name=request.args.get("name"), enabled=query_boolean("enabled"))
        return self._list("domains", [serializers.domain_view(domain, self.base_url()) for domain in domains])

    def create_domain(self) -> Response:
        self.require_admin()
        member = self.json_member("domain")
        domain = self.backend.create_domain(
            str(_string(member, "name", required=True)),
            description=_string(member, "description") or "",
            enabled=bool(member.get("enabled", True)),
        )
        return json_response({"domain": serializers.domain_view(domain, self.base_url())}, status=201)

    def get_domain(self, domain_id: str) -> Response:
        token = self.caller()
        domain = self.backend.get_domain(domain_id)
        user = self.backend.get_user(token.user_id)
        if user.domain_id != domain_id and not self.is_admin(token):
            raise Forbidden()
        return json_response({"domain": serializers.domain_view(domain, self.base_url())})

    def update_domain(self, domain_id: str) -> Response:
        self.require_admin()
        changes = _changes(self.json_member("domain"), ("name", "description", "enabled"))
        domain = self.backend.update_domain(domain_id, **changes)
        return json_response({"domain": serializers.domain_view(domain, self.base_url())})

    def delete_domain(self, domain_id: str) -> Response:
        self.require_admin()
        self.backend.delete_domain(domain_id)
        return empty_response()

    # -- projects ------------------------------------------------------------------------------

    def list_projects(self) -> Response:
        projects = self.backend.list_projects(
            domain_id=self._listing_domain(),
            name=request.args.get("name"),
            enabled=query_boolean("enabled"),
        )
        return self._list(
            "projects", [serializers.project_view(project, self.base_url()) for project in projects]
        )

    def create_project(self) -> Response:
        member = self.json_member("project")
        domain_id = _string(member, "domain_id") or DEFAULT_DOMAIN_ID
        self.require_admin_of(domain_id)
        project = self.backend.create_project(
            str(_string(member, "name", required=True)),
            domain_id,
            description=_string(member, "description") or "",
            enabled=bool(member.get("enabled", True)),
        )
        return json_response({"project": serializers.project_view(project, self.base_url())}, status=201)

    def get_project(self, project_id: str) -> Response:
        token = self.caller()
        project = self.backend.get_project(project_id)
        if token.project_id != project_id and not self.administers(token, project.domain_id):
            raise Forbidden()
        return json_response({"project": serializers.project_view(project, self.base_url())})

    def update_project(self, project_id: str) -> Response:
        self.require_admin_of(self.backend.get_project(project_id).domain_id)
        changes = _changes(self.json_member("project"), ("name", "description", "enabled"))
        project = self.backend.update_project(project_id, **changes)
        return json_response({"project": serializers.project_view(project, self.base_url())})

    def delete_project(self, project_id: str) -> Response:
        self.require_admin_of(self.backend.get_project(project_id).domain_id)
        self.backend.delete_project(project_id)
        return empty_response()

    # -- users ---------------------------------------------------------------------------------

    def list_users(self) -> Response:
        users = self.backend.list_users(
            domain_id=self._listing_domain(),
            name=request.args.get("name"),
            enabled=query_boolean("enabled"),
        )
        return self._list("users", [serializers.user_view(user, self.base_url()) for user in users])

    def create_user(self) -> Response:
        member = self.json_member("user")
        domain_id = _string(member, "domain_id") or DEFAULT_DOMAIN_ID
        self.require_admin_of(domain_id)
        user = self.backend.create_user(
            str(_string(member, "name", required=True)),
            domain_id,
            _string(member, "password"),
            enabled=bool(member.get("enabled", True)),
            default_project_id=_string(member, "default_project_id"),
            email=_string(member, "email"),
            description=_string(member, "description") or "",
        )
        return json_response({"user": serializers.user_view(user, self.base_url())}, status=201)

    def get_user(self, user_id: str) -> Response:
        self.require_admin_or_user(user_id)
        user = self.backend.get_user(user_id)
        return json_response({"user": serializers.user_view(user, self.base_url())})

    def update_user(self, user_id: str) -> Response:
        self.require_admin_of(self.backend.get_user(user_id).domain_id)
        member = self.json_member("user")
        changes = _changes(member, ("name", "description", "enabled", "email", "default_project_id"))
        user = self.backend.update_user(user_id, password=_string(member, "password"), **changes)
        if changes.get("enabled") is False or "password" in member:
            self.backend.revoke_tokens_of_user(user_id)
        return json_response({"user": serializers.user_view(user, self.base_url())})

    def delete_user(self, user_id: str) -> Response:
        self.require_admin_of(self.backend.get_user(user_id).domain_id)
        self.backend.delete_user(user_id)
        return empty_response()

    def list_user_projects(self, user_id: str) -> Response:
        self.require_admin_or_user(user_id)
        self.backend.get_user(user_id)
        projects = self.backend.projects_of_user(user_id)
        return self._list(
            "projects", [serializers.project_view(project, self.base_url()) for project in projects]
        )

    # -- roles and grants ----------------------------------------------------------------------

    def _require_role_reader(self) -> None:
        """Roles are listed to cloud administrators and to domain administrators (to grant them)."""
        token = self.caller()
        if not self.is_admin(token) and self.administered_domain(token) is None:
            raise Forbidden()

    def list_roles(self) -> Response:
        self._require_role_reader()
        roles = self.backend.list_roles(name=request.args.get("name"))
        return self._list("roles", [serializers.role_view(role, self.base_url()) for role in roles])

    def create_role(self) -> Response:
        self.require_admin()
        member = self.json_member("role")
        role = self.backend.create_role(
            str(_string(member, "name", required=True)), description=_string(member, "description") or ""
        )
        return json_response({"role": serializers.role_view(role, self.base_url())}, status=201)

    def get_role(self, role_id: str) -> Response:
        self._require_role_reader()
        role = self.backend.get_role(role_id)
        return json_response({"role": serializers.role_view(role, self.base_url())})

    def delete_role(self, role_id: str) -> Response:
        self.require_admin()
        self.backend.delete_role(role_id)
        return empty_response()

    def grant_role(self, project_id: str, user_id: str, role_id: str) -> Response:
        self._require_grant_rights(project_id, user_id)
        # ``admin`` (a cloud administrator) and ``service`` (validates anyone's tokens) reach beyond
        # the project they are granted on: a domain administrator may not grant them.
        if self.backend.get_role(role_id).name in (ADMIN_ROLE, SERVICE_ROLE) and not self.is_admin(
            self.caller()
        ):
            raise Forbidden()
        self.backend.grant_role(user_id, project_id, role_id)
        return empty_response()

    def check_grant(self, project_id: str, user_id: str, role_id: str) -> Response:
        self._require_grant_rights(project_id, user_id)
        if not self.backend.has_role(user_id, project_id, role_id):
            raise NotFound(f"Could not find role assignment of role {role_id} for user {user_id}.")
        return empty_response()

    def revoke_grant(self, project_id: str, user_id: str, role_id: str) -> Response:
        self._require_grant_rights(project_id, user_id)
        self.backend.revoke_role(user_id, project_id, role_id)
        return empty_response()

    def list_grants(self, project_id: str, user_id: str) -> Response:
        self._require_grant_rights(project_id, user_id)
        roles = self.backend.assigned_roles(user_id, project_id)
        return self._list("roles", [serializers.role_view(role, self.base_url()) for role in roles])

    # -- grants on domains (cloud administrators only) -----------------------------------------

    def grant_domain_role(self, domain_id: str, user_id: str, role_id: str) -> Response:
        self.require_admin()
        self.backend.grant_domain_role(user_id, domain_id, role_id)
        return empty_response()

    def check_domain_grant(self, domain_id: str, user_id: str, role_id: str) -> Response:
        self.require_admin()
        if not self.backend.has_domain_role(user_id, domain_id, role_id):
            raise NotFound(f"Could not find role assignment of role {role_id} for user {user_id}.")
        return empty_response()

    def revoke_domain_grant(self, domain_id: str, user_id: str, role_id: str) -> Response:
        self.require_admin()
        self.backend.revoke_domain_role(user_id, domain_id, role_id)
        return empty_response()

    def list_domain_grants(self, domain_id: str, user_id: str) -> Response:
        self.require_admin()
        self.backend.get_domain(domain_id)
        self.backend.get_user(user_id)
        roles = self.backend.assigned_domain_roles(user_id, domain_id)
        return self._list("roles", [serializers.role_view(role, self.base_url()) for role in roles])

    def _with_implied(self, assignments: list[RoleAssignment]) -> list[RoleAssignment]:
        expanded = list(assignments)
        index = 0
        while index < len(expanded):
            assignment = expanded[index]
            for implied_name in IMPLIED_ROLES.get(self.backend.get_role(assignment.role_id).name, ()):
                try:
                    implied = self.backend.find_role(implied_name)
                except NotFound:
                    continue
                candidate = RoleAssignment(assignment.user_id, assignment.project_id, implied.id)
                if candidate not in expanded:
                    expanded.append(candidate)
            index += 1
        return expanded

    def list_role_assignments(self) -> Response:
        token = self.caller()
        user_id = request.args.get("user.id")
        if not self.is_admin(token) and user_id != token.user_id:
            raise Forbidden()
        assignments = self.backend.list_role_assignments(
            user_id=user_id, project_id=request.args.get("scope.project.id")
        )
        if query_flag("effective"):
            assignments = self._with_implied(assignments)
        role_id = request.args.get("role.id")
        if role_id is not None:
            assignments = [assignment for assignment in assignments if assignment.role_id == role_id]
        include_names = query_flag("include_names")
        views = [
            serializers.role_assignment_view(
                assignment, self.backend, self.base_url(), include_names=include_names
            )
            for assignment in assignments
        ]
        return self._list("role_assignments", views)

    # -- EC2 credentials -----------------------------------------------------------------------

    def list_ec2_credentials(self, user_id: str) -> Response:
        self.require_admin_or_user(user_id)
        self.backend.get_user(user_id)
        credentials = self.backend.list_ec2_credentials(user_id)
        return self._list(
            "credentials",
            [serializers.ec2_credential_view(credential, self.base_url()) for credential in credentials],
        )

    def create_ec2_credential(self, user_id: str) -> Response:
        token = self.require_admin_or_user(user_id)
        body = self.json_body()
        project_id = body.get("tenant_id") or body.get("project_id") or token.project_id
        if not isinstance(project_id, str):
            raise ValidationError("Expecting to find tenant_id in the request body.")
        if not self.is_admin(token) and not self.backend.assigned_roles(user_id, project_id):
            raise Forbidden(f"User {user_id} has no role on project {project_id}.")
        credential = self.backend.create_ec2_credential(user_id, project_id)
        return json_response(
            {"credential": serializers.ec2_credential_view(credential, self.base_url())}, status=201
        )

    def get_ec2_credential(self, user_id: str, access: str) -> Response:
        self.require_admin_or_user(user_id)
        credential = self.backend.get_ec2_credential(access)
        if credential.user_id != user_id:
            raise NotFound(f"Could not find credential: {access}.")
        return json_response({"credential": serializers.ec2_credential_view(credential, self.base_url())})

    def delete_ec2_credential(self, user_id: str, access: str) -> Response:
        self.require_admin_or_user(user_id)
        credential = self.backend.get_ec2_credential(access)
        if credential.user_id != user_id:
            raise NotFound(f"Could not find credential: {access}.")
        self.backend.delete_ec2_credential(access)
        return empty_response()
