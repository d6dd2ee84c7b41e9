"""Shared parts of the OS::Keystone::* plugins: name → id lookups, role assignments, deletes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from calor.clouds.deletion import delete_requested, request_delete
from calor.clouds.errors import CloudNotFound, translate_errors
from calor.clouds.lookup import find_id
from calor.errors import PropertyError
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import LIST, MAP, STRING, PropertySchema

ROLES_SCHEMA = PropertySchema(
    LIST,
    "List of role assignments.",
    update_allowed=True,
    schema=PropertySchema(
        MAP,
        schema={
            "role": PropertySchema(
                STRING,
                "Keystone role.",
                required=True,
                constraints=(CustomConstraint(name="keystone.role"),),
            ),
            "project": PropertySchema(
                STRING,
                "Keystone project.",
                constraints=(CustomConstraint(name="keystone.project"),),
            ),
            "domain": PropertySchema(
                STRING,
                "Keystone domain.",
                constraints=(CustomConstraint(name="keystone.domain"),),
            ),
        },
    ),
)
"""Heat's ``roles`` property of User and UserRoleAssignment: role on a project or a domain."""


def domain_id(connection: Any, domain: str) -> str:
    return find_id(connection.identity.find_domain, domain, "Domain")


def project_id(connection: Any, project: str) -> str:
    return find_id(connection.identity.find_project, project, "Project")


def user_id(connection: Any, user: str) -> str:
    return find_id(connection.identity.find_user, user, "User")


def role_id(connection: Any, role: str) -> str:
    return find_id(connection.identity.find_role, role, "Role")


def check_roles(roles: Iterable[Mapping[str, Any]] | None, path: str) -> None:
    """Each assignment names exactly one of project and domain (Heat's rule)."""
    for index, assignment in enumerate(roles or []):
        if assignment.get("project") and assignment.get("domain"):
            raise PropertyError(
                "Cannot define the following properties at the same time: project, domain.",
                path=f"{path}.roles[{index}]",
            )
        if not assignment.get("project") and not assignment.get("domain"):
            raise PropertyError(
                f"Either project or domain must be specified for role {assignment.get('role')}",
                path=f"{path}.roles[{index}]",
            )


def _resolved(connection: Any, assignment: Mapping[str, Any]) -> tuple[str, str, str]:
    """(role id, "project" or "domain", target id)."""
    role = role_id(connection, str(assignment["role"]))
    if assignment.get("project"):
        return role, "project", project_id(connection, str(assignment["project"]))
    return role, "domain", domain_id(connection, str(assignment["domain"]))


def _key(assignment: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        str(assignment.get("role")),
        str(assignment.get("project") or ""),
        str(assignment.get("domain") or ""),
    )


def grant_roles(connection: Any, user: str, roles: Iterable[Mapping[str, Any]]) -> None:
    identity = connection.identity
    for assignment in roles:
        role, kind, target = _resolved(connection, assignment)
        with translate_errors(f"granting role {assignment['role']} to user {user}"):
            if kind == "project":
                identity.assign_project_role_to_user(target, user, role)
            else:
                identity.assign_domain_role_to_user(target, user, role)


def revoke_roles(connection: Any, user: str, roles: Iterable[Mapping[str, Any]]) -> None:
    """Revoke the assignments; ones (or roles, projects, users) already gone are skipped."""
    identity = connection.identity
    for assignment in roles:
        try:
            role, kind, target = _resolved(connection, assignment)
            with translate_errors(f"revoking role {assignment['role']} from user {user}"):
                if kind == "project":
                    identity.unassign_project_role_from_user(target, user, role)
                else:
                    identity.unassign_domain_role_from_user(target, user, role)
        except CloudNotFound:
            continue


def update_roles(
    connection: Any,
    user: str,
    old: Iterable[Mapping[str, Any]] | None,
    new: Iterable[Mapping[str, Any]] | None,
) -> None:
    """Revoke the assignments dropped from ``old`` and grant those added in ``new``."""
    old_by_key = {_key(assignment): assignment for assignment in old or []}
    new_by_key = {_key(assignment): assignment for assignment in new or []}
    revoke_roles(connection, user, [old_by_key[key] for key in old_by_key.keys() - new_by_key.keys()])
    grant_roles(connection, user, [new_by_key[key] for key in new_by_key.keys() - old_by_key.keys()])


class Deletion:
    """The delete hooks of a Keystone object: the proxy's ``delete_<kind>`` on the physical id."""

    def __init__(self, delete: Callable[[Any], Callable[..., Any]], kind: str) -> None:
        self.delete = delete
        self.kind = kind

    def _call(self, connection: Any, resource_id: str) -> Callable[[], Any]:
        return lambda: self.delete(connection)(resource_id, ignore_missing=True)

    def start(self, connection: Any, resource_id: str | None) -> Any:
        if resource_id is None:
            return None
        return request_delete(
            connection, self._call(connection, resource_id), f"deleting {self.kind} {resource_id}"
        )

    def done(self, connection: Any, resource_id: str | None, token: Any) -> bool:
        if token is None or resource_id is None:
            return True
        return delete_requested(
            connection, self._call(connection, resource_id), token, f"deleting {self.kind}"
        )


def fetch(get: Callable[[str], Any], resource_id: str | None) -> Any:
    """``get(resource_id)``, ``None`` without an id or when the object is gone."""
    if resource_id is None:
        return None
    try:
        with translate_errors():
            return get(resource_id)
    except CloudNotFound:
        return None
