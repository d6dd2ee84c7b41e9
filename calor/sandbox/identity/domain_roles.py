"""Role assignments on domains (Keystone's ``/v3/domains/{domain}/users/{user}/roles/{role}``).

A domain-scoped token carries the roles its user holds on the domain. The ``admin`` role on
a domain makes its holder that domain's administrator: the embedded identity service lets
them manage the domain's projects, users, grants and EC2 credentials, and nothing outside it
(stricter than Keystone, where ``role:admin`` in any scope passes ``admin_required``). The
stack domain admin (``heat_domain_admin`` on the ``heat`` domain) is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, select

from calor.sandbox.identity import tables
from calor.sandbox.identity.errors import NotFound
from calor.sandbox.identity.records import Domain, DomainRoleAssignment, Role, User

if TYPE_CHECKING:
    from collections.abc import Mapping


class DomainRoles:
    """Domain role assignments of :class:`~calor.sandbox.identity.models.IdentityBackend`."""

    engine: Engine

    if TYPE_CHECKING:  # given by IdentityBackend

        def get_user(self, user_id: str) -> User: ...

        def get_domain(self, domain_id: str) -> Domain: ...

        def get_role(self, role_id: str) -> Role: ...

        def find_role(self, name: str) -> Role: ...

        def implied_roles(self, roles: list[Role]) -> list[Role]: ...

    def grant_domain_role(self, user_id: str, domain_id: str, role_id: str) -> None:
        self.get_user(user_id)
        self.get_domain(domain_id)
        self.get_role(role_id)
        if self.has_domain_role(user_id, domain_id, role_id):
            return
        values: Mapping[str, str] = {"user_id": user_id, "domain_id": domain_id, "role_id": role_id}
        with self.engine.begin() as connection:
            connection.execute(tables.domain_role_assignments.insert().values(**values))

    def has_domain_role(self, user_id: str, domain_id: str, role_id: str) -> bool:
        return bool(self.domain_role_assignments(user_id=user_id, domain_id=domain_id, role_id=role_id))

    def revoke_domain_role(self, user_id: str, domain_id: str, role_id: str) -> None:
        if not self.has_domain_role(user_id, domain_id, role_id):
            raise NotFound(f"Could not find role assignment of role {role_id} for user {user_id}.")
        assignments = tables.domain_role_assignments
        with self.engine.begin() as connection:
            connection.execute(
                delete(assignments).where(
                    assignments.c.user_id == user_id,
                    assignments.c.domain_id == domain_id,
                    assignments.c.role_id == role_id,
                )
            )

    def domain_role_assignments(
        self, *, user_id: str | None = None, domain_id: str | None = None, role_id: str | None = None
    ) -> list[DomainRoleAssignment]:
        assignments = tables.domain_role_assignments
        query = select(assignments).order_by(assignments.c.user_id, assignments.c.domain_id)
        if user_id is not None:
            query = query.where(assignments.c.user_id == user_id)
        if domain_id is not None:
            query = query.where(assignments.c.domain_id == domain_id)
        if role_id is not None:
            query = query.where(assignments.c.role_id == role_id)
        with self.engine.connect() as connection:
            return [DomainRoleAssignment(**row._mapping) for row in connection.execute(query)]

    def assigned_domain_roles(self, user_id: str, domain_id: str) -> list[Role]:
        """Roles granted directly to the user on the domain."""
        return [
            self.get_role(assignment.role_id)
            for assignment in self.domain_role_assignments(user_id=user_id, domain_id=domain_id)
        ]

    def effective_domain_roles(self, user_id: str, domain_id: str) -> list[Role]:
        """Roles on the domain with those they imply (admin → member → reader)."""
        return self.implied_roles(self.assigned_domain_roles(user_id, domain_id))

    def is_domain_admin(self, user_id: str, domain_id: str) -> bool:
        return any(role.name == "admin" for role in self.assigned_domain_roles(user_id, domain_id))
