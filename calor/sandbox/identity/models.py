"""Identity backend: domains, projects, users, roles, assignments, EC2 credentials and tokens.

No HTTP here: :class:`IdentityBackend` keeps its state in a small SQLite file (or any
SQLAlchemy engine) and raises :mod:`calor.sandbox.identity.errors` for callers to map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, Table, create_engine, delete, event, select, update
from sqlalchemy.exc import IntegrityError

from calor.sandbox.identity import tables, tokens
from calor.sandbox.identity.domain_roles import DomainRoles
from calor.sandbox.identity.errors import Conflict, NotFound, Unauthorized, ValidationError
from calor.sandbox.identity.passwords import DEFAULT_ROUNDS, hash_password, verify_password
from calor.sandbox.identity.records import (
    Domain,
    Ec2Credential,
    Project,
    Role,
    RoleAssignment,
    Token,
    User,
    new_id,
    now,
)
from calor.sandbox.identity.trusts import Trusts

__all__ = [
    "IMPLIED_ROLES",
    "Domain",
    "Ec2Credential",
    "IdentityBackend",
    "Project",
    "Role",
    "RoleAssignment",
    "Token",
    "User",
    "open_database",
]

DATABASE_FILE_NAME = "identity.sqlite"

# Keystone's bootstrap makes admin imply member and member imply reader.
IMPLIED_ROLES: Mapping[str, tuple[str, ...]] = {"admin": ("member",), "member": ("reader",)}


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_database(state_dir: str | Path) -> Engine:
    """An engine on ``<state_dir>/identity.sqlite`` with the tables created."""
    directory = Path(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{directory / DATABASE_FILE_NAME}")
    event.listen(engine, "connect", _configure_sqlite_connection)
    tables.metadata.create_all(engine)
    return engine


class IdentityBackend(DomainRoles, Trusts):
    """All identity state and the rules on it; thread safe (one transaction per call).

    Role assignments on domains are :class:`~calor.sandbox.identity.domain_roles.DomainRoles`."""

    def __init__(
        self,
        engine: Engine,
        *,
        token_lifetime: timedelta = timedelta(hours=1),
        password_rounds: int = DEFAULT_ROUNDS,
    ) -> None:
        self.engine = engine
        self.token_lifetime = token_lifetime
        self.password_rounds = password_rounds
        tables.metadata.create_all(engine)

    @classmethod
    def open(
        cls,
        state_dir: str | Path,
        *,
        token_lifetime: timedelta = timedelta(hours=1),
        password_rounds: int = DEFAULT_ROUNDS,
    ) -> IdentityBackend:
        return cls(open_database(state_dir), token_lifetime=token_lifetime, password_rounds=password_rounds)

    def close(self) -> None:
        self.engine.dispose()

    # -- helpers -------------------------------------------------------------------------------

    def _insert(self, table: Table, values: Mapping[str, Any], what: str) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(table.insert().values(**values))
        except IntegrityError as error:
            raise Conflict(f"Conflict occurred attempting to store {what} - Duplicate entry.") from error

    def _one(self, table: Table, key: str, value: str) -> Row[Any] | None:
        with self.engine.connect() as connection:
            return connection.execute(select(table).where(table.c[key] == value)).first()

    def _update(self, table: Table, key: str, value: str, changes: Mapping[str, Any], what: str) -> None:
        if not changes:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(update(table).where(table.c[key] == value).values(**changes))
        except IntegrityError as error:
            raise Conflict(f"Conflict occurred attempting to update {what} - Duplicate entry.") from error

    def _delete(self, table: Table, key: str, value: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(table).where(table.c[key] == value))

    # -- domains -------------------------------------------------------------------------------

    def create_domain(
        self, name: str, *, domain_id: str | None = None, description: str = "", enabled: bool = True
    ) -> Domain:
        domain = Domain(domain_id or new_id(), name, description, enabled)
        self._insert(tables.domains, vars(domain), f"domain {name}")
        return domain

    def get_domain(self, domain_id: str) -> Domain:
        row = self._one(tables.domains, "id", domain_id)
        if row is None:
            raise NotFound(f"Could not find domain: {domain_id}.")
        return Domain(**row._mapping)

    def find_domain(self, name: str) -> Domain:
        row = self._one(tables.domains, "name", name)
        if row is None:
            raise NotFound(f"Could not find domain: {name}.")
        return Domain(**row._mapping)

    def list_domains(self, *, name: str | None = None, enabled: bool | None = None) -> list[Domain]:
        query = select(tables.domains).order_by(tables.domains.c.name)
        if name is not None:
            query = query.where(tables.domains.c.name == name)
        if enabled is not None:
            query = query.where(tables.domains.c.enabled == enabled)
        with self.engine.connect() as connection:
            return [Domain(**row._mapping) for row in connection.execute(query)]

    def update_domain(self, domain_id: str, **changes: Any) -> Domain:
        self.get_domain(domain_id)
        self._update(tables.domains, "id", domain_id, changes, f"domain {domain_id}")
        return self.get_domain(domain_id)

    def delete_domain(self, domain_id: str) -> None:
        domain = self.get_domain(domain_id)
        if domain.enabled:
            raise ValidationError("Cannot delete a domain that is enabled, please disable it first.")
        with self.engine.connect() as connection:
            in_use = (
                connection.execute(
                    select(tables.projects.c.id).where(tables.projects.c.domain_id == domain_id).limit(1)
                ).first()
                or connection.execute(
                    select(tables.users.c.id).where(tables.users.c.domain_id == domain_id).limit(1)
                ).first()
            )
        if in_use:
            raise Conflict(f"Cannot delete domain {domain_id}: it still owns projects or users.")
        self._delete(tables.domains, "id", domain_id)

    # -- projects ------------------------------------------------------------------------------

    def create_project(
        self,
        name: str,
        domain_id: str,
        *,
        project_id: str | None = None,
        description: str = "",
        enabled: bool = True,
    ) -> Project:
        self.get_domain(domain_id)
        project = Project(project_id or new_id(), name, domain_id, description, enabled)
        self._insert(tables.projects, vars(project), f"project {name}")
        return project

    def get_project(self, project_id: str) -> Project:
        row = self._one(tables.projects, "id", project_id)
        if row is None:
            raise NotFound(f"Could not find project: {project_id}.")
        return Project(**row._mapping)

    def find_project(self, name: str, domain_id: str) -> Project:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tables.projects).where(
                    tables.projects.c.name == name, tables.projects.c.domain_id == domain_id
                )
            ).first()
        if row is None:
            raise NotFound(f"Could not find project: {name}.")
        return Project(**row._mapping)

    def list_projects(
        self, *, domain_id: str | None = None, name: str | None = None, enabled: bool | None = None
    ) -> list[Project]:
        query = select(tables.projects).order_by(tables.projects.c.name)
        if domain_id is not None:
            query = query.where(tables.projects.c.domain_id == domain_id)
        if name is not None:
            query = query.where(tables.projects.c.name == name)
        if enabled is not None:
            query = query.where(tables.projects.c.enabled == enabled)
        with self.engine.connect() as connection:
            return [Project(**row._mapping) for row in connection.execute(query)]

    def update_project(self, project_id: str, **changes: Any) -> Project:
        self.get_project(project_id)
        self._update(tables.projects, "id", project_id, changes, f"project {project_id}")
        return self.get_project(project_id)

    def delete_project(self, project_id: str) -> None:
        self.get_project(project_id)
        self._delete(tables.projects, "id", project_id)

    # -- users ---------------------------------------------------------------------------------

    def create_user(
        self,
        name: str,
        domain_id: str,
        password: str | None = None,
        *,
        user_id: str | None = None,
        enabled: bool = True,
        default_project_id: str | None = None,
        email: str | None = None,
        description: str = "",
    ) -> User:
        self.get_domain(domain_id)
        user = User(user_id or new_id(), name, domain_id, enabled, default_project_id, email, description)
        password_hash = None if password is None else hash_password(password, self.password_rounds)
        self._insert(tables.users, {**vars(user), "password_hash": password_hash}, f"user {name}")
        return user

    @staticmethod
    def _user(row: Row[Any]) -> User:
        values = dict(row._mapping)
        values.pop("password_hash")
        return User(**values)

    def get_user(self, user_id: str) -> User:
        row = self._one(tables.users, "id", user_id)
        if row is None:
            raise NotFound(f"Could not find user: {user_id}.")
        return self._user(row)

    def find_user(self, name: str, domain_id: str) -> User:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tables.users).where(tables.users.c.name == name, tables.users.c.domain_id == domain_id)
            ).first()
        if row is None:
            raise NotFound(f"Could not find user: {name}.")
        return self._user(row)

    def list_users(
        self, *, domain_id: str | None = None, name: str | None = None, enabled: bool | None = None
    ) -> list[User]:
        query = select(tables.users).order_by(tables.users.c.name)
        if domain_id is not None:
            query = query.where(tables.users.c.domain_id == domain_id)
        if name is not None:
            query = query.where(tables.users.c.name == name)
        if enabled is not None:
            query = query.where(tables.users.c.enabled == enabled)
        with self.engine.connect() as connection:
            return [self._user(row) for row in connection.execute(query)]

    def update_user(self, user_id: str, *, password: str | None = None, **changes: Any) -> User:
        self.get_user(user_id)
        if password is not None:
            changes["password_hash"] = hash_password(password, self.password_rounds)
        self._update(tables.users, "id", user_id, changes, f"user {user_id}")
        return self.get_user(user_id)

    def delete_user(self, user_id: str) -> None:
        self.get_user(user_id)
        self._delete(tables.users, "id", user_id)
        self.revoke_tokens_of_user(user_id)

    def check_password(self, user_id: str, password: str) -> bool:
        row = self._one(tables.users, "id", user_id)
        return row is not None and verify_password(password, row.password_hash)

    # -- roles and assignments -----------------------------------------------------------------

    def create_role(self, name: str, *, role_id: str | None = None, description: str = "") -> Role:
        role = Role(role_id or new_id(), name, description)
        self._insert(tables.roles, vars(role), f"role {name}")
        return role

    def get_role(self, role_id: str) -> Role:
        row = self._one(tables.roles, "id", role_id)
        if row is None:
            raise NotFound(f"Could not find role: {role_id}.")
        return Role(**row._mapping)

    def find_role(self, name: str) -> Role:
        row = self._one(tables.roles, "name", name)
        if row is None:
            raise NotFound(f"Could not find role: {name}.")
        return Role(**row._mapping)

    def list_roles(self, *, name: str | None = None) -> list[Role]:
        query = select(tables.roles).order_by(tables.roles.c.name)
        if name is not None:
            query = query.where(tables.roles.c.name == name)
        with self.engine.connect() as connection:
            return [Role(**row._mapping) for row in connection.execute(query)]

    def delete_role(self, role_id: str) -> None:
        self.get_role(role_id)
        self._delete(tables.roles, "id", role_id)

    def grant_role(self, user_id: str, project_id: str, role_id: str) -> None:
        self.get_user(user_id)
        self.get_project(project_id)
        self.get_role(role_id)
        if not self.has_role(user_id, project_id, role_id):
            self._insert(
                tables.role_assignments,
                {"user_id": user_id, "project_id": project_id, "role_id": role_id},
                "role assignment",
            )

    def has_role(self, user_id: str, project_id: str, role_id: str) -> bool:
        return bool(self.list_role_assignments(user_id=user_id, project_id=project_id, role_id=role_id))

    def revoke_role(self, user_id: str, project_id: str, role_id: str) -> None:
        if not self.has_role(user_id, project_id, role_id):
            raise NotFound(f"Could not find role assignment of role {role_id} for user {user_id}.")
        assignments = tables.role_assignments
        with self.engine.begin() as connection:
            connection.execute(
                delete(assignments).where(
                    assignments.c.user_id == user_id,
                    assignments.c.project_id == project_id,
                    assignments.c.role_id == role_id,
                )
            )

    def list_role_assignments(
        self, *, user_id: str | None = None, project_id: str | None = None, role_id: str | None = None
    ) -> list[RoleAssignment]:
        assignments = tables.role_assignments
        query = select(assignments).order_by(assignments.c.user_id, assignments.c.project_id)
        if user_id is not None:
            query = query.where(assignments.c.user_id == user_id)
        if project_id is not None:
            query = query.where(assignments.c.project_id == project_id)
        if role_id is not None:
            query = query.where(assignments.c.role_id == role_id)
        with self.engine.connect() as connection:
            return [RoleAssignment(**row._mapping) for row in connection.execute(query)]

    def assigned_roles(self, user_id: str, project_id: str) -> list[Role]:
        """Roles granted directly to the user on the project."""
        return [
            self.get_role(assignment.role_id)
            for assignment in self.list_role_assignments(user_id=user_id, project_id=project_id)
        ]

    def effective_roles(self, user_id: str, project_id: str) -> list[Role]:
        """Assigned roles plus the roles they imply (admin → member → reader), as tokens carry."""
        return self.implied_roles(self.assigned_roles(user_id, project_id))

    def implied_roles(self, roles: list[Role]) -> list[Role]:
        """``roles`` and every role they imply, by name."""
        found: dict[str, Role] = {}
        pending = list(roles)
        while pending:
            role = pending.pop()
            if role.id in found:
                continue
            found[role.id] = role
            for implied_name in IMPLIED_ROLES.get(role.name, ()):
                try:
                    pending.append(self.find_role(implied_name))
                except NotFound:
                    continue
        return sorted(found.values(), key=lambda role: role.name)

    def projects_of_user(self, user_id: str) -> list[Project]:
        project_ids = {assignment.project_id for assignment in self.list_role_assignments(user_id=user_id)}
        return [project for project in self.list_projects() if project.id in project_ids]

    # -- EC2 credentials -----------------------------------------------------------------------

    def create_ec2_credential(
        self, user_id: str, project_id: str, *, access: str | None = None, secret: str | None = None
    ) -> Ec2Credential:
        self.get_user(user_id)
        self.get_project(project_id)
        credential = Ec2Credential(access or new_id(), secret or new_id(), user_id, project_id)
        self._insert(tables.ec2_credentials, vars(credential), "credential")
        return credential

    def get_ec2_credential(self, access: str) -> Ec2Credential:
        row = self._one(tables.ec2_credentials, "access", access)
        if row is None:
            raise NotFound(f"Could not find credential: {access}.")
        return Ec2Credential(**row._mapping)

    def list_ec2_credentials(self, user_id: str | None = None) -> list[Ec2Credential]:
        query = select(tables.ec2_credentials).order_by(tables.ec2_credentials.c.access)
        if user_id is not None:
            query = query.where(tables.ec2_credentials.c.user_id == user_id)
        with self.engine.connect() as connection:
            return [Ec2Credential(**row._mapping) for row in connection.execute(query)]

    def delete_ec2_credential(self, access: str) -> None:
        self.get_ec2_credential(access)
        self._delete(tables.ec2_credentials, "access", access)

    # -- tokens --------------------------------------------------------------------------------

    def issue_token(
        self,
        user_id: str,
        *,
        methods: Iterable[str],
        project_id: str | None = None,
        domain_id: str | None = None,
        expires_at: datetime | None = None,
        parent_audit_id: str | None = None,
        trust_id: str | None = None,
    ) -> Token:
        """Store and return a new token; the caller has checked the user and the scope."""
        return tokens.store_token(
            self.engine,
            user_id,
            methods=tuple(methods),
            project_id=project_id,
            domain_id=domain_id,
            expires_at=expires_at or now() + self.token_lifetime,
            parent_audit_id=parent_audit_id,
            trust_id=trust_id,
        )

    def get_token(self, token_id: str) -> Token | None:
        """The stored token, valid or not, or None."""
        return tokens.load_token(self.engine, token_id)

    def validate_token(self, token_id: str, *, allow_expired: bool = False) -> Token:
        """The token if it is valid: known, not revoked, not expired, its user and scope enabled."""
        token = self.get_token(token_id)
        if token is None or token.revoked or (token.expired and not allow_expired):
            raise NotFound(f"Could not find token: {token_id}.")
        try:
            user = self.get_user(token.user_id)
            if not user.enabled:
                raise NotFound(f"Could not find token: {token_id}.")
            if token.project_id is not None and not self.get_project(token.project_id).enabled:
                raise NotFound(f"Could not find token: {token_id}.")
            if token.domain_id is not None and not self.get_domain(token.domain_id).enabled:
                raise NotFound(f"Could not find token: {token_id}.")
        except NotFound as error:
            raise NotFound(f"Could not find token: {token_id}.") from error
        if token.trust_id is not None:
            self.check_trust_token(token)  # NotFound "Could not find trust", as Keystone answers
        return token

    def authenticate_token(self, token_id: str | None) -> Token:
        """The caller's own token (X-Auth-Token): valid or :class:`Unauthorized`."""
        if not token_id:
            raise Unauthorized()
        try:
            return self.validate_token(token_id)
        except NotFound as error:
            raise Unauthorized("The request you have made requires authentication.") from error

    def revoke_token(self, token_id: str) -> None:
        self.validate_token(token_id)
        tokens.revoke_token(self.engine, token_id)

    def revoke_tokens_of_user(self, user_id: str) -> None:
        tokens.revoke_tokens_of_user(self.engine, user_id)

    def purge_expired_tokens(self) -> int:
        """Delete tokens past their expiry; returns how many."""
        return tokens.purge_expired_tokens(self.engine)
